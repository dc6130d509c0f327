"""``python -m bench [--json FILE]`` runs every benchmark and prints a summary;
``python -m bench pages|search|reminders|sms|imports|load|pdf`` runs one. See
bench/pages.py, bench/search.py, bench/reminders.py, bench/sms.py, bench/imports.py,
bench/load.py and bench/pdf.py."""

import argparse
import sys


def _pdf_parser(sub):
    pdf = sub.add_parser("pdf", help="区级规模提案汇编（约 100 页）的 PDF 生成")
    pdf.add_argument(
        "--proposals",
        type=int,
        default=140,
        help="汇编中的立案提案件数（默认 140，约为全区 12 个联络处一年的量，约 100 页）",
    )
    pdf.add_argument("--keep", help="保存生成的 PDF 到此目录")
    pdf.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    # Internal: the measured render runs in a fresh process, so that its peak memory is
    # its own and not the seeding's.
    pdf.add_argument("--render-only", help=argparse.SUPPRESS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="性能测试")
    parser.add_argument("--json", help="把全部结果另存为 JSON 文件（便于在提交之间比较）")
    sub = parser.add_subparsers(dest="bench")
    _pdf_parser(sub)
    pages = sub.add_parser("pages", help="页面耗时 ÷ 空视图，1× 与 10× 数据，查询数")
    pages.add_argument(
        "--quick", action="store_true", help="只测一种规模（district 为 1×，city 为全市即 10×）"
    )
    pages.add_argument(
        "--small",
        action="store_true",
        help="小规模演示数据，只比较 1× 与 10× 的逐页查询数（CI 用）",
    )
    pages.add_argument("--timed", action="store_true", help="与 --small 同用：也测耗时")
    pages.add_argument(
        "--scale",
        choices=("district", "city"),
        default="district",
        help=(
            "演示数据规模：district 为全区 12 个联络处（默认，1× 5,000 名委员）；city 为全市 "
            "10 个区 150 个联络处（1× 6,000 名委员，10× 即全市 60,000 名）"
        ),
    )
    pages.add_argument(
        "--from-db",
        help=(
            "只测一种规模（同 --quick）：复制此 PostgreSQL 数据库（已用 seed_demo "
            "生成同规模演示数据）而不重新生成"
        ),
    )
    pages.add_argument(
        "--keep",
        action="store_true",
        help="保留生成的 1× 与 10× 数据库（PostgreSQL，逐页请求之前的副本），以便 --reuse 再测",
    )
    pages.add_argument(
        "--cold",
        action="store_true",
        help="缓存始终为空（刚启动的进程或另一台主机）：只有库中保存的数字可用",
    )
    pages.add_argument(
        "--reuse",
        metavar="1×库名,10×库名",
        help="不重新生成：复制 --keep 保留的两个数据库再测（改了代码后只重测几个页面时）",
    )
    pages.add_argument(
        "--only",
        help="只测这些页面（以逗号分隔的 URL 名称，如 admin:index）；all 为全部页面。"
        "city 规模默认只测工作台、统计和走访覆盖页",
    )
    pages.add_argument("--pairs", type=int, default=7, help="每轮每页请求次数（默认 7，共 3 轮）")
    pages.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    search = sub.add_parser(
        "search", help="一个联络处 1,000 与 10,000 件提案时的搜索和相似提案 ÷ 空视图"
    )
    search.add_argument("--pairs", type=int, default=7, help="每轮每个请求次数（默认 7，共 3 轮）")
    search.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    reminders = sub.add_parser("reminders", help="10,000 条提醒的写入和发送 ÷ 10,000 个空任务")
    reminders.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    sms = sub.add_parser("sms", help="5,000 条激活短信经网关替身发送 ÷ 5,000 个空任务")
    sms.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    imports = sub.add_parser("imports", help="5,000 行名册由 worker 导入的耗时和峰值内存")
    imports.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    load = sub.add_parser("load", help="50 个并发用户的混合负载（locust，无界面，限时）")
    load.add_argument("--users", type=int, default=50)
    load.add_argument("--seconds", type=int, default=60)
    load.add_argument("--json", default=argparse.SUPPRESS, help="结果另存为 JSON 文件")
    args = parser.parse_args(argv)

    if args.bench == "pdf" and args.render_only:
        from . import pdf as bench_pdf

        return bench_pdf.main(args)
    from . import summary

    return summary.run(args)


if __name__ == "__main__":
    sys.exit(main())
