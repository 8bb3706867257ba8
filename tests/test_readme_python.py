"""Every ```python block of the README runs, in order, against a store with small trained models."""

import re

from conftest import REPO


def test_every_python_block_of_the_readme_runs(with_models, capsys):
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), flags=re.S)
    assert len(blocks) >= 2
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"README python block {number}", "exec"), {})
    printed = capsys.readouterr().out
    assert "G2V" in printed and "main sequence" in printed
