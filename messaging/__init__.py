"""Messages in and out: every inbound message stored, the outbox, and its delivery.

Below the conversation core and above the domain: it knows residents and workers only
as addresses (which channel and chat reach them), and transports only through the
`Channel` interface in `messaging.delivery`.
"""
