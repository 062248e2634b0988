"""The instruction counter of the benchmarks (benchmarks/instructions.py) counts the marked
block, and only it."""

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from instructions import counted, rerun_under_valgrind  # noqa: E402

SCRIPT = f"""
import sys
sys.path.insert(0, {str(BENCHMARKS)!r})
from instructions import counted

sum(range(300_000))  # before the block (about 58 million instructions): not counted
with counted():
    total = 0
    for i in range(int(sys.argv[1])):
        total += i
sum(range(300_000))  # after it: not counted
"""


@pytest.fixture
def script(tmp_path):
    if not (shutil.which("valgrind") and shutil.which("gcc")):
        skip_or_fail("valgrind and gcc are needed to count instructions")
    path = tmp_path / "work.py"
    path.write_text(SCRIPT)
    return path


def test_the_count_covers_the_block_and_grows_with_its_work(script):
    empty = rerun_under_valgrind([str(script), "0"])
    small = rerun_under_valgrind([str(script), "20000"])
    large = rerun_under_valgrind([str(script), "80000"])
    # The sums outside the block cost tens of millions of instructions each (about 58 million
    # for 300,000 items), so the empty block's count is only the switching on and off.
    assert 0 < empty < 1_000_000
    # Four times the loop, four times the count.
    assert 3.8 < (large - empty) / (small - empty) < 4.2


def test_outside_valgrind_the_block_just_runs():
    with counted():
        value = sum(range(10))
    assert value == 45
