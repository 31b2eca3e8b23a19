"""doc/support_matrix.md is generated from the translation tables and kept up to date."""

import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


def test_support_matrix_is_up_to_date():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "support_matrix.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, "doc/support_matrix.md is out of date: run python tools/support_matrix.py"
