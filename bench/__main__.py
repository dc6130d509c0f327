"""``python -m bench pdf [--proposals N] [--keep DIR]`` — see bench/pdf.py."""

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="性能测试")
    sub = parser.add_subparsers(dest="bench", required=True)
    pdf = sub.add_parser("pdf", help="区级规模提案汇编（约 100 页）的 PDF 生成")
    pdf.add_argument(
        "--proposals",
        type=int,
        default=140,
        help="汇编中的立案提案件数（默认 140，约为全区 12 个联络处一年的量，约 100 页）",
    )
    pdf.add_argument("--keep", help="保存生成的 PDF 和测试数据库到此目录")
    # Internal: the measured render runs in a fresh process, so that its peak memory is
    # its own and not the seeding's.
    pdf.add_argument("--render-only", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from . import pdf as bench_pdf

    return bench_pdf.main(args)


if __name__ == "__main__":
    sys.exit(main())
