"""Benchmarks for the complaints assistant (`make bench`, `python -m bench --help`).

Parts (docs/bench.md explains each figure):

* routing  - the router in-process (per case) and the `python -m bot route` CLI;
* chat     - REST latency of our stack against a stock `rasa init` assistant, same load
             tool (../shared/eval/chatload.py) and script, at 1, 10 and 25 concurrent
             conversations; cold start, resident memory, training times;
* scale    - two Rasa servers against one, sharing PostgreSQL and Redis;
* profile  - (only when asked) where the time of one turn goes inside our Rasa server.

Every process and folder a run starts is removed at the end, also on Ctrl-C.
"""
