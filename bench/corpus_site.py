#!/usr/bin/env python3
"""A site around the shared benchmark corpus: generates DIR/content with
shared/bench/gen_corpus.py, writes DIR/site.toml declaring the corpus's
departments, and copies this repository's templates and themes. Then
`gongkai build -s DIR` builds it.

Usage: corpus_site.py DIR [--items N] [--shared ../shared]
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPTS = [
    ("fgw", "发展和改革局", "发改"), ("jyj", "教育局", "教"), ("gaj", "公安局", "公"),
    ("mzj", "民政局", "民"), ("czj", "财政局", "财"), ("rsj", "人力资源和社会保障局", "人社"),
    ("zrzyj", "自然资源局", "自然资"), ("sthjj", "生态环境局", "环"),
    ("zjj", "住房和城乡建设局", "建"), ("jtysj", "交通运输局", "交"), ("slj", "水利局", "水"),
    ("nyncj", "农业农村局", "农"), ("wsjkj", "卫生健康委员会", "卫健"),
    ("scjgj", "市场监督管理局", "市监"), ("xzspj", "行政审批服务局", "审批"), ("tjj", "统计局", "统"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--shared", default=os.environ.get("SHARED", os.path.join(ROOT, "..", "shared")))
    a = ap.parse_args()
    gen = os.path.join(a.shared, "bench", "gen_corpus.py")
    if not os.path.exists(gen):
        sys.exit("corpus_site.py: %s not found (pass --shared)" % gen)
    os.makedirs(a.dir, exist_ok=True)
    subprocess.run([sys.executable, gen, a.dir, "--items", str(a.items)], check=True)
    lines = ['[site]', 'name = "基准县人民政府"', 'region = "基准县"',
             'base_url = "https://www.example.gov.cn/"', 'org_code = "11339901MB00010119"', '']
    for i, (key, name, abbr) in enumerate(DEPTS):
        lines += ['[[departments]]', 'id = "%s"' % key, 'name = "%s"' % name,
                  'abbr = "%s"' % abbr, 'org_code = "11339901MB%08d"' % (i + 1),
                  'kind = "department"', '']
    with open(os.path.join(a.dir, "site.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    for sub in ("templates", "themes"):
        dst = os.path.join(a.dir, sub)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, sub), dst)


if __name__ == "__main__":
    main()
