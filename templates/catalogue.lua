-- 政府信息公开目录（统一目录）
--
-- 全县各部门、乡镇、村共用这一份目录。每个栏目的字段：
--   key         栏目代码，小写英文字母、数字和连字符，全目录唯一，用于网址，发布后不要改动
--   name        栏目中文名，全目录唯一；信息的 category 可以写代码，也可以写这个中文名
--   scope       谁在本栏目发布：government（县政府）、department（部门）、
--               township（乡镇及其所辖村）、both（政府和部门都发布，默认）
--   validity    true 表示本栏目的信息带“有效性”（有效 / 失效 / 废止）及生效、失效日期
--   periodic    定期公开的周期：quarter（季度）、month（月度）、year（年度）
--   fixed       true 表示固定内容，每年至少更新一次
--   description 一句话说明本栏目公开什么
--   children    下级栏目，字段同上
--
-- 栏目依据《政府信息公开条例》和上级关于政务公开目录的要求设置。新增栏目时在末尾追加，
-- 已有栏目的 key 不得改动或重复使用，否则已发布的网址和索引号会失效。

return {
  categories = {
    -- 一、政府信息公开工作本身
    { key = "gkzn", name = "公开指南", fixed = true, scope = "both",
      description = "政府信息公开的方式、途径、受理机构、依申请公开办理程序和监督方式。" },
    { key = "gkzd", name = "公开制度", fixed = true, scope = "both",
      description = "保密审查、依申请公开办理、考核评议、责任追究等政务公开工作制度。" },
    { key = "gknb", name = "政府信息公开年度报告", periodic = "year", scope = "both",
      description = "每年3月31日前公布上一年度政府信息公开工作年度报告及统计数据。" },

    -- 二、机构信息（固定内容，每年更新）
    { key = "jgzn", name = "机构职能", fixed = true, scope = "both",
      description = "主要职责、内设机构、下属单位及其职能、办公地址和办公时间。" },
    { key = "ldxx", name = "领导信息", fixed = true, scope = "both",
      description = "领导班子成员姓名、职务和工作分工。" },
    { key = "lxfs", name = "联系方式", fixed = true, scope = "both",
      description = "各单位政务公开负责人、职务、值班电话和办公地址。" },
    { key = "rsxx", name = "人事信息", scope = "both",
      description = "干部任免、公务员及事业单位招录、人员公示。" },

    -- 三、政策文件
    { key = "gfxwj", name = "规范性文件", validity = true, scope = "both",
      description = "涉及公民、法人和其他组织权利义务、具有普遍约束力的文件，注明有效性。" },
    { key = "zcjd", name = "政策解读", scope = "both",
      description = "对重要政策文件的背景、要点和办理方式的解读。" },
    { key = "wjql", name = "文件清理结果", scope = "both",
      description = "规范性文件每两年清理一次，公布继续有效、修改和废止的文件目录。" },

    -- 四、规划计划与统计
    { key = "ghjh", name = "规划计划", scope = "both",
      description = "国民经济和社会发展规划、专项规划、年度工作计划及执行情况。",
      children = {
        { key = "ghjh-fz", name = "发展规划", scope = "government" },
        { key = "ghjh-zx", name = "专项规划" },
        { key = "ghjh-nd", name = "年度计划" },
      } },
    { key = "tjxx", name = "统计信息", scope = "both",
      description = "统计公报、主要经济指标和统计分析。" },
    { key = "zxgz", name = "中心工作", scope = "government",
      description = "政府工作报告、年度重点工作和民生实事的部署与进展。" },

    -- 五、财政资金
    { key = "czyjs", name = "财政预决算", scope = "both",
      description = "政府预算、决算和部门预算、决算及说明。",
      children = {
        { key = "czyjs-ys", name = "预算" },
        { key = "czyjs-js", name = "决算" },
        { key = "sgjf", name = "三公经费",
          description = "因公出国（境）费、公务用车购置及运行费、公务接待费。" },
      } },
    { key = "zxzj", name = "专项资金", scope = "both",
      description = "专项资金的管理办法、分配结果和使用情况。" },
    { key = "sfxm", name = "收费项目", scope = "both",
      description = "收费和罚没资金的项目、依据、标准及管理情况。",
      children = {
        { key = "xzsyxsf", name = "行政事业性收费",
          description = "收费项目名称、收费依据、收费标准和收费对象。" },
        { key = "jyfwxsf", name = "经营服务性收费" },
        { key = "fmzj", name = "罚没资金" },
      } },
    { key = "zfcg", name = "政府采购", scope = "both",
      description = "集中采购目录、采购公告和中标（成交）结果。",
      children = {
        { key = "zfcg-ml", name = "集中采购目录", scope = "government" },
        { key = "zfcg-gg", name = "采购公告" },
        { key = "zfcg-jg", name = "中标成交结果" },
      } },

    -- 六、行政权力运行
    { key = "qzqd", name = "权责清单", scope = "both",
      description = "行政职权的名称、依据、责任事项和运行流程图。" },
    { key = "xzxk", name = "行政许可", scope = "both",
      description = "许可事项按“八公开”“六统一”公布：主体、事项、依据、条件、程序、时限、收费。" },
    { key = "xzcf", name = "行政处罚", scope = "both",
      description = "行政处罚的依据、裁量基准和处罚决定。" },
    { key = "bszd", name = "办事制度", scope = "department",
      description = "办事依据、条件、程序、时限和结果。" },
    { key = "fwcn", name = "服务承诺", scope = "department",
      description = "首问负责、限时办结、一次性告知等服务承诺及投诉渠道。" },

    -- 七、项目建设
    { key = "zdxm", name = "重点项目", scope = "both",
      description = "县重点项目计划、年度投资和推进情况。" },
    { key = "zdjsxm", name = "重大建设项目", scope = "both",
      description = "重大建设项目的批准、招标投标、征收土地、施工和竣工信息。",
      children = {
        { key = "zdjsxm-pz", name = "项目审批" },
        { key = "zdjsxm-zb", name = "招标投标" },
        { key = "zdjsxm-jz", name = "建设进展" },
      } },
    { key = "cxjs", name = "城乡建设", scope = "both",
      description = "城乡规划、住房保障、市政设施和农村人居环境整治。" },
    { key = "zdcq", name = "征地拆迁", scope = "both",
      description = "土地征收启动公告、补偿安置方案、补偿标准和房屋征收决定。" },

    -- 八、民生保障
    { key = "shjz", name = "社会救助", scope = "both",
      description = "最低生活保障、特困供养、临时救助的政策、标准和名单（个人信息已脱敏）。",
      children = {
        { key = "dbbz", name = "最低生活保障" },
        { key = "tkgy", name = "特困人员供养" },
        { key = "lsjz", name = "临时救助" },
      } },
    { key = "xczx", name = "乡村振兴", scope = "both",
      description = "巩固拓展脱贫攻坚成果、扶贫项目资金和惠农补贴发放。",
      children = {
        { key = "fpxm", name = "扶贫项目资金" },
        { key = "hnbt", name = "惠农补贴" },
      } },
    { key = "ggfw", name = "公共服务", scope = "both",
      description = "教育、医疗卫生、社会保险、就业创业等公共服务信息。",
      children = {
        { key = "jy", name = "教育" },
        { key = "ylws", name = "医疗卫生" },
        { key = "shbx", name = "社会保险" },
        { key = "jycy", name = "就业创业" },
      } },
    { key = "jzyf", name = "救灾优抚", scope = "both",
      description = "灾害救助、优抚安置以及救灾、救济款物和社会捐赠的管理使用。",
      children = {
        { key = "zhjz", name = "灾害救助" },
        { key = "yfaz", name = "优抚安置" },
        { key = "jzkw", name = "社会捐赠" },
      } },
    { key = "gysy", name = "公益事业", scope = "both",
      description = "公共文化、体育、慈善等公益事业的建设和服务。" },

    -- 九、应急与监管
    { key = "yjgl", name = "应急管理", scope = "both",
      description = "应急预案、预警信息和突发事件的应对情况。",
      children = {
        { key = "yjya", name = "应急预案" },
        { key = "yjxx", name = "预警信息" },
        { key = "tfsj", name = "突发事件处置" },
      } },
    { key = "jdjc", name = "监督检查", scope = "both",
      description = "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况。",
      children = {
        { key = "sthj", name = "生态环境" },
        { key = "ggws", name = "公共卫生" },
        { key = "aqsc", name = "安全生产" },
        { key = "spyp", name = "食品药品" },
        { key = "cpzl", name = "产品质量" },
      } },

    -- 十、动态与互动
    { key = "gzdt", name = "工作动态", scope = "both",
      description = "本单位的重要会议、活动和工作进展。" },
    { key = "hygz", name = "回应关切", scope = "both",
      description = "对社会关注事项、群众来信来电的回应。" },
    { key = "jyta", name = "建议提案办理", scope = "both",
      description = "人大代表建议、政协委员提案的办理结果。" },

    -- 十一、乡镇、村（公开栏按期张贴，须经监督小组审核）
    { key = "xzzw", name = "乡镇政务", periodic = "quarter", scope = "township",
      description = "乡镇政务党务按季度公开，上季度内容于下季度第一个月5日前上栏。" },
    { key = "cwgk", name = "村务公开", periodic = "month", scope = "township",
      description = "村级重大事项、惠民政策落实和村民关心的事项，按月公开。" },
    { key = "cjcw", name = "村级财务", periodic = "month", scope = "township",
      description = "村集体收支明细、资产资源和债权债务，按月公开。" },
  },
}
