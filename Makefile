# Two commands matter: `make run` (start everything) and `make test` (the whole suite).
# Both set up .venv and train the model first when needed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MODEL := models/assistant.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

# Everything the trained model depends on; the model is rebuilt only when one changes
# (and Rasa's own fingerprint skips training when the content did not change).
TRAINING_INPUTS := config.yml $(wildcard bot/domain/*.yml) $(wildcard nlu_data/*.yml) \
	bot/components/vietnamese_normalizer.py procedure_kb/textnorm.py procedure_kb/language.py \
	procedure_kb/data/abbreviations.tsv

.PHONY: install train migrate run cluster chat test test-fast bench lint clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt constraints-tools.txt bot/scripts/install.sh
	bash bot/scripts/install.sh
	touch $@

train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(VENV)/bin/rasa train --config config.yml --domain bot/domain --data nlu_data \
		--out models --fixed-model-name assistant
	touch $@

# The deploy step: bring the hotline database (HOTLINE_DATABASE_URL) to the newest schema, once;
# servers only check it on start (make run and make cluster run this step for you).
migrate: install
	$(PY) -m hotline migrate

run: install train
	$(PY) -m bot.runner

# The production shape on one machine: 2 Rasa replicas, 2 action servers, 2 web apps behind
# HAProxy, the machine's PostgreSQL, Redis and RabbitMQ, the analytics consumer (bot/cluster.py).
cluster: install train
	$(PY) -m bot.cluster

# Terminal chat with the assistant that `make run` started.
chat: install
	$(PY) -m bot.chat_cli

test: install train
	$(PY) -m pytest

# Quick loop while developing: no servers, no browser.
test-fast: install
	$(PY) -m pytest -m "not rasa and not browser"

bench: install train
	$(PY) bench/kb_search.py
	$(PY) bench/address_lookup.py
	$(PY) bench/ticket_queue.py
	$(PY) bench/dossiers.py
	$(PY) bench/chat_load.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf models var .pytest_cache .venv-tools
