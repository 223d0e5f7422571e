-- 统一命名规则 naming.lua · Unified naming rules
--
-- gongkai 需要索引号、网址、单位名称、公开栏名称、规范的文号写法和期间名称时，都调用
-- 本文件中的函数；程序本身不写死任何命名规则。要改规则，把本文件复制到站点的
-- templates/（或主题的 themes/<主题>/templates/）下再修改：站点和主题里的同名文件优先于
-- 这份默认文件。复制时请保留全部函数。
--
-- Whenever gongkai needs an index number, a URL, the name of a unit or of a notice
-- board, a document number in its standard form or the label of a period, it calls
-- a function of this file: the program hard-codes no naming rule. To change a rule,
-- copy this file into the site's templates/ (or a theme's themes/<theme>/templates/)
-- and edit the copy, which wins over this default. Keep every function in the copy.
--
-- 须知 · Good to know
--   * 每个函数收到一个表（doc_number、doc_number_parts 收到字符串），返回一个字符串。
--     规则无法给出结果时，用 error("说明") 报错：gongkai 会指出本文件和行号。
--     Each function receives a table (doc_number and doc_number_parts a string) and
--     returns a string. When a rule cannot give an answer, raise error("why"):
--     gongkai reports it with this file's name and the line.
--   * 索引号和网址在信息第一次发布时记入站点根目录的 catalogue.lock。修改 index_number
--     只影响以后的新信息，已分配的索引号永不改变；修改 item_url 后，已发布的信息改用新
--     网址，每个旧网址都保留一个跳转页，已发布的网址不会失效。
--     Index numbers and URLs are recorded in catalogue.lock (at the site root) when
--     an item is first published. A changed index_number rule affects new items
--     only: an assigned number never changes. A changed item_url rule moves published
--     items to their new URLs and leaves a redirect page at every old one, so no
--     published URL ever breaks.
--   * 本文件在沙箱中运行：没有 os、io、require，不能读写文件。
--     This file runs in a sandbox: no os, io or require, no file access.
--   * 函数的结果只能取决于它收到的参数和 site.toml，不要在两次调用之间保存状态：gongkai
--     会记住 item_url、doc_number 和 doc_number_parts 给过的结果（.gongkai/naming.cache），
--     同样的问题不再调用本文件；本文件或 site.toml 一改，记住的结果全部作废。
--     A function's result must depend only on what it is given and on site.toml:
--     keep no state between calls. gongkai remembers the results of item_url,
--     doc_number and doc_number_parts (.gongkai/naming.cache) and does not call this
--     file again for the same question; any change to this file or to site.toml
--     forgets them all.

local naming = {}

-- ---------------------------------------------------------------------------
-- 辅助函数 · Helpers
-- ---------------------------------------------------------------------------

-- 空白字符：ASCII 空白、全角空格（U+3000）和不换行空格（U+00A0）。
-- Blanks: ASCII white space, the ideographic space and the no-break space.
local BLANKS = { " ", "\t", "\r", "\n", "\u{3000}", "\u{A0}" }

local function starts_with(s, prefix)
  return s:sub(1, #prefix) == prefix
end

local function ends_with(s, suffix)
  return suffix == "" or s:sub(-#suffix) == suffix
end

-- 去掉开头的空白 · Remove blanks at the start.
local function trim_left(s)
  local again = true
  while again do
    again = false
    for _, b in ipairs(BLANKS) do
      if starts_with(s, b) then
        s, again = s:sub(#b + 1), true
      end
    end
  end
  return s
end

-- 去掉末尾的空白 · Remove blanks at the end.
local function trim_right(s)
  local again = true
  while again do
    again = false
    for _, b in ipairs(BLANKS) do
      if #s >= #b and ends_with(s, b) then
        s, again = s:sub(1, -#b - 1), true
      end
    end
  end
  return s
end

local function trim(s)
  return trim_right(trim_left(s))
end

-- 在名称前加上地区名（名称已经以地区名开头时不重复加）。
-- Put the region in front of a name, unless the name already starts with it.
local function with_region(region, name)
  if region == nil or region == "" or starts_with(name, region) then
    return name
  end
  return region .. name
end

-- 是否是社区（居委会）而不是村 · Whether a village-level unit is a
-- residents' community (社区, 居委会) rather than a village (村).
local function is_community(name)
  return ends_with(name, "社区") or ends_with(name, "居") or ends_with(name, "居委会")
end

-- ---------------------------------------------------------------------------
-- 索引号 · Index number (索引号)
--
-- 参数 a：
--   org_code       发布机构自己的统一社会信用代码（部门没有填写时为 nil）
--   site_org_code  本级政府（[site]）的统一社会信用代码
--   dept           发布机构 id，如 "czj"
--   year           发布年份（信息 date 的年份），整数
--   seq            该机构当年的顺序号，从 1 起，由 gongkai 按 catalogue.lock 分配，整数
--   category       分类 key，如 "czyjs-ys"
-- 默认写法：<统一社会信用代码>/<年份>-<5 位顺序号>，如 11339901MB0000001X/2025-00012。
-- 部门没有自己的代码时用本级政府的代码加部门 id（如 11339901MB00010119-CZJ/2025-00012），
-- 因为顺序号按部门编排，几个部门共用一个代码会得到相同的索引号。
--
-- a.org_code: the publisher's own unified social credit code (nil when the
-- department has none); a.site_org_code: the site's; a.dept: its id; a.year:
-- the year of the item's date; a.seq: its sequence number in that department
-- and year, from 1, assigned by gongkai; a.category: the category key.
-- Default: "<org_code>/<year>-<seq as 5 digits>", e.g.
-- 11339901MB0000001X/2025-00012. A department without a code of its own uses
-- the site's code and its id: sequences count per department, so departments
-- sharing one code would otherwise get the same numbers.
-- ---------------------------------------------------------------------------
function naming.index_number(a)
  local org = a.org_code
  if org == nil or org == "" then
    if a.site_org_code == nil or a.site_org_code == "" then
      error(string.format("发布机构“%s”和站点都没有填写 org_code（统一社会信用代码），"
        .. "无法生成索引号：请在 site.toml 中填写", a.dept), 0)
    end
    org = a.site_org_code .. "-" .. string.upper(a.dept)
  end
  return string.format("%s/%04d-%05d", org, a.year, a.seq)
end

-- ---------------------------------------------------------------------------
-- 信息的网址 · An item's URL
--
-- 参数 a：
--   dept      发布机构 id；year 索引号的年份；seq 索引号中的顺序号
--   slug      文件名去掉 .md，如 "yusuan-2025"
--   rel       content/ 下的路径，如 "czj/2025/yusuan-2025.md"
--   category  分类 key
--   clash     0；不为 0 时表示前一次给出的网址已被别的信息占用（第几次重试）
-- 默认：/<dept>/<year>/<文件名>/，如 /czj/2025/yusuan-2025/
--
-- 文件名转成网址：大写字母改成小写，保留 a-z、0-9、- 和 _；其他字符（中文、空格、标点）
-- 每一串换成一个 -，去掉首尾的 - 和 _。这样转换后不剩英文字母时（如全中文的文件名）用
-- item-<5 位顺序号>。网址中不会出现百分号编码。例（顺序号 12）：
--   "yusuan-2025"      → yusuan-2025
--   "Report 2025"      → report-2025
--   "2025年yusuan"     → 2025-yusuan
--   "2025年 预算说明"  → item-00012
--   "预算说明"         → item-00012
-- 网址被占用时（两个文件名转换后相同，或与某条信息的旧网址相同），在后面加 -<顺序号>。
--
-- a.dept: publisher id; a.year: the index number's year; a.seq: its sequence
-- number; a.slug: the file name without .md; a.rel: the path under content/;
-- a.category: the category key; a.clash: 0, or how many times the URL given was
-- already taken by another item. Default: /<dept>/<year>/<slug>/. The file name
-- is made URL-safe without percent-encoding: A-Z become a-z; a-z, 0-9, - and _
-- stay; every run of anything else (Chinese, blanks, punctuation) becomes one -;
-- leading and trailing - and _ go; if no letter is left, item-<5-digit seq>. A
-- taken URL gets -<seq> appended.
-- ---------------------------------------------------------------------------
local function url_slug(name, seq)
  local s = name:gsub("[A-Z]", string.lower)
  if s:find("^[a-z0-9_%-]+$") then
    return s
  end
  s = s:gsub("[^a-z0-9_%-]+", "-"):gsub("%-%-+", "-"):gsub("^[_%-]+", ""):gsub("[_%-]+$", "")
  if not s:find("[a-z]") then
    s = string.format("item-%05d", seq)
  end
  return s
end

function naming.item_url(a)
  local slug = url_slug(a.slug, a.seq)
  if a.clash and a.clash > 0 then
    slug = string.format("%s-%05d", slug, a.seq)
    if a.clash > 1 then
      slug = slug .. "-" .. a.clash
    end
  end
  return string.format("/%s/%04d/%s/", a.dept, a.year, slug)
end

-- ---------------------------------------------------------------------------
-- 子站和目录的网址 · Sub-site and catalogue URLs
--   department_url{id=}                 单位子站首页 · a unit's sub-site: /czj/
--   category_url{key=}                  全县目录中的分类 · a category: /xxgk/ml/czyjs/
--   department_category_url{dept=, key=} 子站中的分类 · in a sub-site: /czj/ml/czyjs/
-- ---------------------------------------------------------------------------
function naming.department_url(a)
  return "/" .. a.id .. "/"
end

function naming.category_url(a)
  return "/xxgk/ml/" .. a.key .. "/"
end

function naming.department_category_url(a)
  return "/" .. a.dept .. "/ml/" .. a.key .. "/"
end

-- ---------------------------------------------------------------------------
-- 子站名称 · Sub-site name
--
-- 参数 a.dept：单位（id、name、full_name、kind、abbr、org_code，村还有 parent 即所属乡镇），
--      a.site：站点（name、region）。
--   部门：用 site.toml 中的全称 full_name，如“示例县财政局”；
--   乡镇：地区 + 名称 + 人民政府，如“示例县白马镇人民政府”（街道为“……街道办事处”）；
--   村：地区 + 乡镇 + 村名 + 村民委员会，如“示例县白马镇东风村村民委员会”
--       （社区为“……社区居民委员会”）。
--   乡镇和村按统一命名规范组合，不用 full_name。
--
-- a.dept: the unit (id, name, full_name, kind, abbr, org_code; a village also
-- has parent, its township); a.site: the site (name, region). A department is
-- named by its full_name; a township and a village follow the unified patterns
-- above (full_name is not used for them).
-- ---------------------------------------------------------------------------
local function township_name(d, region)
  local name = d.name
  if ends_with(name, "街道") then
    name = name .. "办事处"
  elseif not (ends_with(name, "人民政府") or ends_with(name, "办事处")) then
    name = name .. "人民政府"
  end
  return with_region(region, name)
end

local function village_committee(name)
  if ends_with(name, "委员会") then
    return name
  elseif is_community(name) then
    return name .. "居民委员会"
  end
  return name .. "村民委员会"
end

function naming.subsite_name(a)
  local d, site = a.dept, a.site or {}
  if d.kind == "township" then
    return township_name(d, site.region)
  elseif d.kind == "village" then
    local township = d.parent and d.parent.name or ""
    return with_region(site.region, township .. village_committee(d.name))
  end
  return d.full_name or with_region(site.region, d.name)
end

-- ---------------------------------------------------------------------------
-- 公开栏名称 · Notice-board title
--
-- 参数 a.board：公开栏（id、name、department、period），a.dept：它所属的单位，
--      a.parent：村所属的乡镇（其他为 nil），a.site：站点。
-- site.toml 中给公开栏写了 name 时，用那个名称。否则：
--   乡镇：“示例县白马镇政务公开栏”；村：“示例县白马镇东风村村务公开栏”
--   （社区为“……居务公开栏”）；部门：“示例县财政局政务公开栏”。
-- 统一规范的全称是“<区>XXX乡镇(街道办事处)政务党务公开专栏”和
-- “<区>XXX乡镇XXX村(居)委会党务村务公开栏”。gongkai 只编印政务、村务内容，所以默认用
-- 上面的简称；公开栏同时张贴党务内容时，把下面的 FULL_BOARD_NAMES 改为 true 使用全称，
-- 如“示例县白马镇政务党务公开专栏”“示例县白马镇东风村委会党务村务公开栏”。
--
-- a.board: the board (id, name, department, period); a.dept: its unit;
-- a.parent: a village's township (nil otherwise); a.site: the site. A board's
-- own name in site.toml wins. The default titles are the short forms above,
-- since gongkai prints government and village affairs only; set
-- FULL_BOARD_NAMES to true for the full unified names of combined boards that
-- also carry Party affairs (政务党务公开专栏, 党务村务公开栏).
-- ---------------------------------------------------------------------------
local FULL_BOARD_NAMES = false

function naming.board_title(a)
  local b, d, site = a.board, a.dept, a.site or {}
  if b.name and b.name ~= "" then
    return b.name
  end
  if d == nil then
    error(string.format("公开栏“%s”所属的单位不存在", b.id), 0)
  end
  if d.kind == "village" then
    local township = a.parent and a.parent.name or ""
    local community = is_community(d.name)
    if FULL_BOARD_NAMES then
      local committee = d.name .. (community and "居委会" or ends_with(d.name, "村") and "委会" or "村委会")
      return with_region(site.region, township .. committee .. "党务"
        .. (community and "居务" or "村务") .. "公开栏")
    end
    return with_region(site.region, township .. d.name .. (community and "居务公开栏" or "村务公开栏"))
  elseif d.kind == "township" then
    if FULL_BOARD_NAMES then
      local name = ends_with(d.name, "街道") and d.name .. "办事处" or d.name
      return with_region(site.region, name .. "政务党务公开专栏")
    end
    return with_region(site.region, d.name .. "政务公开栏")
  end
  return (d.full_name or with_region(site.region, d.name)) .. "政务公开栏"
end

-- ---------------------------------------------------------------------------
-- 文号 · Document number (发布文号)
--
-- doc_number(raw)：把年份的括号统一成六角括号〔〕（GB/T 9704-2012），去掉首尾空白和
-- 括号两侧的空白，其余照原样保留（如 示政办函〔2025〕27号 这类不带“发”的文号）。
-- 年份写在下列任一种括号里都可以：[2012] ［2012］ „2012‟ (2012) （2012） 〔2012〕
-- 【2012】 {2012} ｛2012｝ 〖2012〗。例：“示政办发[2025]12号” → “示政办发〔2025〕12号”。
--
-- doc_number(raw): the year's brackets become 〔〕 (GB/T 9704-2012), blanks at
-- both ends and around the brackets go, everything else stays as written. The
-- year may be in any of the brackets listed above.
-- ---------------------------------------------------------------------------
local OPEN_BRACKETS = { "〔", "[", "［", "„", "(", "（", "【", "{", "｛", "〖" }
local CLOSE_BRACKETS = { "〕", "]", "］", "‟", ")", "）", "】", "}", "｝", "〗" }

-- s 去掉末尾（或开头）的一个括号后的剩余部分；不以括号结尾（开头）时为 nil。
-- s without one bracket at its end (start), or nil when there is none.
local function cut_end(s, brackets)
  for _, b in ipairs(brackets) do
    if ends_with(s, b) then
      return s:sub(1, -#b - 1)
    end
  end
  return nil
end

local function cut_start(s, brackets)
  for _, b in ipairs(brackets) do
    if starts_with(s, b) then
      return s:sub(#b + 1)
    end
  end
  return nil
end

function naming.doc_number(raw)
  local s = trim(raw)
  for start, year, stop in s:gmatch("()(%d%d%d%d)()") do
    local before = cut_end(trim_right(s:sub(1, start - 1)), OPEN_BRACKETS)
    local after = cut_start(trim_left(s:sub(stop)), CLOSE_BRACKETS)
    if before and after then
      return trim_right(before) .. "〔" .. year .. "〕" .. trim_left(after)
    end
  end
  return s
end

-- doc_number_parts(s)：把文号拆成 { issuer = 机关代字（含“发”“函”等）, year = 年份,
-- seq = 序号 }，如 “示政办发〔2025〕12号” → { issuer = "示政办发", year = 2025, seq = 12 }；
-- 不像文号时返回 nil。用于检查重复的文号。
--
-- doc_number_parts(s): { issuer=, year=, seq= } of a document number (after
-- doc_number), or nil when s does not look like one. Used to find duplicates.
function naming.doc_number_parts(s)
  local n = naming.doc_number(s)
  local issuer, year, seq = n:match("^(.-)〔(%d%d%d%d)〕(%d+)号$")
  if not issuer then
    issuer, year, seq = n:match("^(.-)〔(%d%d%d%d)〕第(%d+)号$")
  end
  if not issuer or trim(issuer) == "" then
    return nil
  end
  seq = math.tointeger(tonumber(seq))
  if seq == nil then
    return nil
  end
  return { issuer = trim(issuer), year = math.tointeger(tonumber(year)), seq = seq }
end

-- ---------------------------------------------------------------------------
-- 期间名称 · Period label
--
-- 参数 a：kind 为 "quarter"（季度）、"month"（月份）或 "year"（年度），year 年份，
--      n 季度 1-4 或月份 1-12（年度时不用）。
-- 例：2026 年第 3 季度 → “2026年第三季度”；2026 年 9 月 → “2026年9月”；2026 年 → “2026年度”
--
-- a.kind: "quarter", "month" or "year"; a.year; a.n: the quarter 1-4 or month
-- 1-12 (unused for a year).
-- ---------------------------------------------------------------------------
local QUARTERS = { "一", "二", "三", "四" }

function naming.period_label(a)
  if a.kind == "quarter" then
    if not QUARTERS[a.n] then
      error(string.format("季度应为 1 到 4，而不是 %s", tostring(a.n)), 0)
    end
    return string.format("%d年第%s季度", a.year, QUARTERS[a.n])
  elseif a.kind == "month" then
    if type(a.n) ~= "number" or a.n < 1 or a.n > 12 then
      error(string.format("月份应为 1 到 12，而不是 %s", tostring(a.n)), 0)
    end
    return string.format("%d年%d月", a.year, a.n)
  elseif a.kind == "year" then
    return string.format("%d年度", a.year)
  end
  error(string.format("期间类型应为 quarter、month 或 year，而不是 %s", tostring(a.kind)), 0)
end

return naming
