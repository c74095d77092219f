"""Transports. Each is handed the conversation and the outbox dispatcher, nothing more:
it turns its updates into `Inbound`, applies the `Outcome`, and sends outbox messages as
a `messaging.delivery.Channel`. None of them touches the domain."""
