"""An article about a visit of the test world's board to its district, written for these tests."""

from __future__ import annotations

import pytest

ARTICLE = """Ban Tuyên giáo Tỉnh ủy kiểm tra công tác tuyên giáo tại huyện Bù Đốp
Thứ tư - 14/06/2023 20:15
Sáng ngày 14 - 6, Đoàn kiểm tra của Ban Tuyên giáo Tỉnh ủy do đồng chí Mạc Đình Huấn, Phó Trưởng Ban \
Tuyên giáo Tỉnh ủy làm Trưởng đoàn đã kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023 tại huyện Bù Đốp. \
Thành viên Đoàn gồm đồng chí Phan Duy Khiêm, Trưởng phòng Thông tin - Khoa giáo, Ban Tuyên giáo Tỉnh ủy.
Tiếp và làm việc với Đoàn có đồng chí Dương Thanh Huân, TUV, Bí thư Huyện ủy.
Qua kiểm tra, Đoàn đánh giá cao việc huyện kiện toàn kịp thời đội ngũ báo cáo viên và cộng tác viên dư luận \
xã hội. Tuy nhiên, lực lượng làm công tác tuyên giáo ở cơ sở còn mỏng.
Đồng chí Trưởng đoàn đề nghị huyện tập trung thực hiện tốt các nhiệm vụ trọng tâm 6 tháng cuối năm 2023:
Một là, tổ chức hội nghị quán triệt Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư cho cán bộ chủ chốt.
Hai là, phát huy Tổ công tác 03 theo Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật).
Ba là, báo cáo kết quả khắc phục về Ban Tuyên giáo Tỉnh ủy trước ngày 30/9/2023.
Tác giả: Thu Hà
"""


@pytest.fixture
def article_text() -> str:
    return ARTICLE
