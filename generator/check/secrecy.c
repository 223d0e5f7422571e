/* 密级: an item that carries a secrecy level must never be published. It is
 * refused whatever the value says (even 无 or 公开, which mean the editor
 * should delete the line), and whether or not it is a draft or withheld:
 * classified text does not belong in the site's sources at all. */
#include "check_internal.h"

#include <string.h>

void check_secrecy_run(check_ctx *c)
{
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (!it->secrecy.s)
            continue;
        const char *shown =
            it->secrecy.s[0] ? check_excerpt(c, it->secrecy.s, strlen(it->secrecy.s)) : "（空）";
        check_diag(c, DIAG_ERROR, "GK201", it, it->secrecy.line, it->secrecy.col,
                   "这条信息标有密级“%s”：涉密信息一律不得公开，不能放在网站内容中。请立即把"
                   "文件移出 content/ 并按保密规定处理；若确属非涉密信息，删去密级这一行",
                   shown);
    }
}
