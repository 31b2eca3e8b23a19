#!/usr/bin/env bash
# The project's two entry points; needs only python3 (with venv) and a C compiler.
#   bash project.sh run    create .venv, install everything from PyPI, run the main example
#   bash project.sh test   (re)use .venv and run the whole test suite
#   bash project.sh docs   build the documentation (examples, notebooks executed) into doc/_build/html
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
STAMP="$VENV/.installed"

install() {
    if [ ! -f "$STAMP" ] || [ requirements.txt -nt "$STAMP" ] || [ setup.py -nt "$STAMP" ]; then
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --upgrade pip
        "$VENV/bin/python" -m pip install -r requirements.txt
        "$VENV/bin/python" -m pip install --no-deps -e .
        touch "$STAMP"
    fi
}

case "${1:-}" in
    run)
        install
        "$VENV/bin/python" examples/balanced_network.py nest --simtime 500 --output-dir results
        ;;
    test)
        install
        "$VENV/bin/python" -m pytest -q test
        ;;
    docs)
        install
        "$VENV/bin/python" -m sphinx -W --keep-going -b html doc doc/_build/html
        echo "Documentation written to doc/_build/html/index.html"
        ;;
    lint)
        install
        "$VENV/bin/ruff" check .
        ;;
    *)
        echo "usage: bash project.sh run|test|docs|lint" >&2
        exit 2
        ;;
esac
