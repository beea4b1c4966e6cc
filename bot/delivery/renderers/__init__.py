"""One renderer per outbox kind, each beside the others of its feature.

A renderer turns a claimed row into a reply at send time, in the recipient's current
language, and is given only the services it reads. It answers `Dropped` when the message is
no longer worth sending; the dispatcher records that as a skip (the one place it does).
The table binding each kind to its renderer is `bot/delivery/kinds.py`.
"""
