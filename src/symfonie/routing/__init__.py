"""The ACD in the server: routing queues and agent profiles in the database, the one router
process that drives ``symfonie.domain.routing``, and its durable command inbox and event log."""
