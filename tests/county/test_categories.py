from county.categories import CATEGORY_OF_INTENT, category_of
from county.models import Category
from nlu import intents


def test_every_request_intent_files_under_its_own_category() -> None:
    assert set(CATEGORY_OF_INTENT) == set(intents.TICKET_INTENTS)
    # Only 其他 has no intent of its own: it is filed by the bot, never understood.
    assert set(Category) - set(CATEGORY_OF_INTENT.values()) == {Category.OTHER}
    assert category_of(intents.HAZARD) == Category.HAZARD


def test_conversation_intents_file_nothing() -> None:
    assert all(category_of(i) is None for i in intents.CONVERSATION_INTENTS)
