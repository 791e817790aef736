import pytest

from core.smalltalk import SmallTalk, classify


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("xin chào", SmallTalk.GREETING),
        ("chao ban", SmallTalk.GREETING),
        ("Hello ad", SmallTalk.GREETING),
        ("cảm ơn bạn nhiều nhé", SmallTalk.THANKS),
        ("tks ad", SmallTalk.THANKS),
        ("ok cam on", SmallTalk.THANKS),
        ("tạm biệt", SmallTalk.GOODBYE),
        ("xin chào, cho hỏi làm căn cước ở đâu", None),  # a question hides behind the greeting
        ("cảm ơn, còn đăng ký kết hôn thì sao", None),
        ("làm sổ đỏ", None),
        ("bạn là ai vậy", SmallTalk.IDENTITY),
        ("bạn có biết mình là ai không", SmallTalk.IDENTITY),
        ("ban la nguoi hay may the", SmallTalk.IDENTITY),
        ("bot làm được gì", SmallTalk.IDENTITY),
        ("người nước ngoài là ai thì được mua nhà", None),
        ("ai được miễn lệ phí", None),
    ],
)
def test_classify(text: str, kind: SmallTalk | None) -> None:
    assert classify(text) == kind
