import pytest

from core.text.abbreviations import default_expander
from core.text.normalize import fold_case, tokens


def expand(text: str) -> str:
    return " ".join(default_expander().expand(tokens(fold_case(text))).tokens)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("lam lai cccd", "lam lai căn cước công dân"),
        ("làm gks cần j", "làm giấy khai sinh cần gì"),
        ("ko đc à", "không được à"),
        ("k biết", "không biết"),
        ("đk tạm trú", "đăng ký tạm trú"),
        ("dki kết hôn", "đăng ký kết hôn"),
        ("đk gì để được cấp", "điều kiện gì để được cấp"),  # "đk" before "gì" asks for conditions
        ("có đk không", "có được không"),
        ("nhập hk cho con", "nhập hộ khẩu thường trú cho con"),
        ("sổ hk", "sổ hộ khẩu thường trú"),
        ("làm được hk", "làm được không"),  # at the end of a question "hk" is "không"
        ("bn tiền", "bao nhiêu tiền"),
        ("làm ntn", "làm như thế nào"),
        ("sang tên sổ đỏ", "sang tên sổ đỏ giấy chứng nhận quyền sử dụng đất"),
        ("bh xh tự nguyện", "bảo hiểm xã hội tự nguyện"),
        ("nộp bhyt bh nào", "nộp bảo hiểm y tế bao giờ nào"),
        ("xin gpxd", "xin giấy phép xây dựng"),
        # everyday words keep their place and gain the word the procedure names use
        ("xin giấy phép thăm dò", "xin cấp giấy phép thăm dò"),
        ("xin giay chung nhan", "xin cấp giay chung nhan"),
        ("xin cấp giấy phép", "xin cấp giấy phép"),
        ("xin ý kiến", "xin ý kiến"),
        ("lên ca phường", "lên công an phường"),
        ("tt đăng ký", "thủ tục đăng ký"),
        ("gia hạn tt", "gia hạn tạm trú"),
        ("sửa dc thường trú", "sửa địa chỉ thường trú"),
        ("đổi tên trên gt", "đổi tên trên giấy tờ"),
    ],
)
def test_expansions(raw: str, expected: str) -> None:
    assert expand(raw) == expected


def test_expanded_tokens_are_marked_fixed() -> None:
    result = default_expander().expand(["lam", "gks"])
    assert result.tokens == ["lam", "giấy", "khai", "sinh"]
    assert result.fixed == [False, True, True, True]
