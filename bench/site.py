#!/usr/bin/env python3
"""Write the site.toml that makes a corpus of shared/bench/gen_corpus.py a
gongkai site: the departments the generator uses, under a fictional county.

Usage: site.py CORPUS_DIR
"""
import os
import sys

DEPARTMENTS = [
    ("fgw", "发展和改革局", "发改"), ("jyj", "教育局", "教"), ("gaj", "公安局", "公"),
    ("mzj", "民政局", "民"), ("czj", "财政局", "财"), ("rsj", "人力资源和社会保障局", "人社"),
    ("zrzyj", "自然资源局", "自然资"), ("sthjj", "生态环境局", "环"),
    ("zjj", "住房和城乡建设局", "建"), ("jtysj", "交通运输局", "交"), ("slj", "水利局", "水"),
    ("nyncj", "农业农村局", "农"), ("wsjkj", "卫生健康委员会", "卫健"),
    ("scjgj", "市场监督管理局", "市监"), ("xzspj", "行政审批服务局", "审批"), ("tjj", "统计局", "统"),
]


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    lines = ["[site]", 'name = "基准县人民政府"', 'region = "基准县"',
             'base_url = "https://bench.example.gov.cn/"', 'org_code = "11339901MB00010119"',
             'site_id = "3399010002"', ""]
    for i, (key, name, abbr) in enumerate(DEPARTMENTS):
        lines += ["[[departments]]", 'id = "%s"' % key, 'name = "%s"' % name,
                  'abbr = "%s"' % abbr, 'org_code = "11339901MB%08d"' % (i + 1), ""]
    with open(os.path.join(sys.argv[1], "site.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
