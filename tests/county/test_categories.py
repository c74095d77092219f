from county.categories import CATEGORY_OF_INTENT, category_of
from county.models import Category
from nlu import intents


def test_every_request_intent_files_under_its_own_category() -> None:
    assert set(CATEGORY_OF_INTENT) == set(intents.TICKET_INTENTS)
    assert sorted(CATEGORY_OF_INTENT.values()) == sorted(Category)
    assert category_of(intents.HAZARD) == Category.HAZARD


def test_conversation_intents_file_nothing() -> None:
    assert all(category_of(i) is None for i in intents.CONVERSATION_INTENTS)
