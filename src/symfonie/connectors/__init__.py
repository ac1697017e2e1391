"""Channel connectors: one self-contained folder per channel kind (``connectors/<kind>/``),
sharing one inbound path: verify → store the raw event under a unique key → answer fast →
process in the background → identify the customer → attach to a case → queue → push live."""
