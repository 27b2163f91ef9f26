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
	bot/components/vietnamese_normalizer.py bot/components/intent_gate.py procedure_kb/messages.py \
	procedure_kb/textnorm.py procedure_kb/language.py \
	procedure_kb/data/abbreviations.tsv

# The semantic signal's cache: every phrasing-bank phrase and FAQ variant embedded once.
KB_EMBEDDINGS := models/kb_embeddings.npz
KB_INPUTS := $(wildcard procedure_kb/data/phrasings/*.yml) procedure_kb/data/transition_faq.yml \
	procedure_kb/data/procedures.jsonl.gz procedure_kb/semantic.py

.PHONY: install train embeddings migrate run cluster chat test test-fast bench lint clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt constraints-tools.txt bot/scripts/install.sh
	bash bot/scripts/install.sh
	touch $@

train: $(MODEL)

embeddings: $(KB_EMBEDDINGS)

$(KB_EMBEDDINGS): $(VENV)/.installed $(KB_INPUTS)
	$(PY) -m procedure_kb build-embeddings
	touch $@

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(VENV)/bin/rasa train --config config.yml --domain bot/domain --data nlu_data \
		--out models --fixed-model-name assistant
	touch $@

# The deploy step: bring the hotline database (HOTLINE_DATABASE_URL) to the newest schema, once;
# servers only check it on start (make run and make cluster run this step for you).
migrate: install
	$(PY) -m hotline migrate

run: install train embeddings
	$(PY) -m bot.runner

# The production shape on one machine: 2 Rasa replicas, 2 action servers, 2 web apps behind
# HAProxy, the machine's PostgreSQL, Redis and RabbitMQ, the analytics consumer (bot/cluster.py).
cluster: install train
	$(PY) -m bot.cluster

# Terminal chat with the assistant that `make run` started.
chat: install
	$(PY) -m bot.chat_cli

test: install train embeddings
	$(PY) -m pytest

# Quick loop while developing: no servers, no browser.
test-fast: install
	$(PY) -m pytest -m "not rasa and not browser"

bench: install train embeddings
	$(PY) bench/kb_search.py
	$(PY) bench/address_lookup.py
	$(PY) bench/ticket_queue.py
	$(PY) bench/dossiers.py
	$(PY) bench/chat_load.py
	$(PY) bench/print_sheets.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf models var .pytest_cache .venv-tools
