/* Fragments into columns and pages, top to bottom, left to right. A chain
 * of fragments kept together (a heading and what follows it, an item's title
 * and meta line, a paragraph's first and last two lines, a table's header
 * row and its first row) moves to the next column whole when it does not fit
 * at the foot of this one; a table that continues in a new column repeats
 * its header row there. */
#include "sheets_internal.h"

#include "../util/xalloc.h"

static void flow_place(sheet *s, size_t frag, int page, int column, double y)
{
    s->places = xgrow(s->places, &s->place_cap, s->place_count + 1, sizeof *s->places);
    s->places[s->place_count++] = (sheet_place){frag, page, column, y};
}

/* The height of fragment i and of every fragment it must stay with. */
static double flow_chain(const sheet *s, size_t i)
{
    double h = s->frags[i].height;
    for (; s->frags[i].keep_with_next && i + 1 < s->frag_count; i++)
        h += s->frags[i + 1].space_before + s->frags[i + 1].height;
    return h;
}

void sheet_flow(sheet *s)
{
    const double col_h = s->st.col_h;
    int page = 0, column = 0;
    double y = 0;
    bool empty = true;
    for (size_t i = 0; i < s->frag_count; i++) {
        const sheet_frag *f = &s->frags[i];
        double before = empty ? 0 : f->space_before;
        double chain = flow_chain(s, i);
        bool alone_fits = y + before + f->height <= col_h;
        /* A chain taller than a whole column cannot be kept: it breaks
         * wherever it must. */
        bool chain_fits = y + before + chain <= col_h || chain > col_h;
        if (!empty && !(alone_fits && chain_fits)) {
            if (++column == s->st.columns) {
                column = 0;
                page++;
            }
            y = 0;
            before = 0;
            empty = true;
        }
        if (empty && f->kind == SHEET_FRAG_ROW && f->row > 0) {
            flow_place(s, f->table->header_frag, page, column, y);
            y += f->table->row_h[0];
        }
        flow_place(s, i, page, column, y + before);
        y += before + f->height;
        empty = false;
    }
    s->pages = page + 1;
}
