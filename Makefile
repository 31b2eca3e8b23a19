# Shortcuts for project.sh (which needs no make): make run | make test | make docs | make lint
.PHONY: run test docs lint clean
run:
	bash project.sh run
test:
	bash project.sh test
docs:
	bash project.sh docs
lint:
	bash project.sh lint
clean:
	rm -rf .venv results doc/_build doc/auto_examples doc/reference/generated
