"""The routing fixtures (skills, chat queue, Anna's profile, a customer), reused as they are."""

from tests.routing.conftest import anna_profile, chat_queue, customer, skills  # noqa: F401
