# Shortcuts for project.sh (which needs no make): make run | make test | make lint
.PHONY: run test lint clean
run:
	bash project.sh run
test:
	bash project.sh test
lint:
	bash project.sh lint
clean:
	rm -rf .venv results
