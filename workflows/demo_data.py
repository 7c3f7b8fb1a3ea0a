"""The demo's facts as data: the organisation tree of the Bình Phước reference case, one account per
role, and the nine requests of the 14/06/2023 visit with the documents each cites.

The facts (bodies, people, positions, dates, document codes) come from the public record; every
sentence is written for kiemtra. `workflows.demo` builds the demo from these tables.
"""

from __future__ import annotations

from datetime import date

from models.enums import OrgKind, Role

# code, document code, name, kind, parent code, place name, valid from, valid to
ORGANISATIONS: list[tuple[str, str, str, OrgKind, str | None, str | None, date | None, date | None]] = [
    ("TU-BP", "TU", "Tỉnh ủy Bình Phước", OrgKind.PARTY_COMMITTEE, None, "Bình Phước", None, None),
    ("BTGTU-BP", "BTGTU", "Ban Tuyên giáo Tỉnh ủy", OrgKind.PARTY_BOARD, "TU-BP", "Bình Phước", None, None),
    (
        "HU-BUDOP",
        "HU",
        "Huyện ủy Bù Đốp",
        OrgKind.PARTY_COMMITTEE,
        "TU-BP",
        "Bù Đốp",
        None,
        date(2025, 6, 30),
    ),
    (
        "BTGHU-BUDOP",
        "BTGHU",
        "Ban Tuyên giáo Huyện ủy Bù Đốp",
        OrgKind.PARTY_BOARD,
        "HU-BUDOP",
        "Bù Đốp",
        None,
        date(2025, 6, 30),
    ),
    (
        "TTCT-BUDOP",
        "TTCT",
        "Trung tâm Chính trị huyện Bù Đốp",
        OrgKind.STATE_OFFICE,
        "HU-BUDOP",
        "Bù Đốp",
        None,
        date(2025, 6, 30),
    ),
    (
        "UBND-BUDOP",
        "UBND",
        "Ủy ban nhân dân huyện Bù Đốp",
        OrgKind.GOVERNMENT,
        "HU-BUDOP",
        "Bù Đốp",
        None,
        date(2025, 6, 30),
    ),
    (
        "VHTT-BUDOP",
        "VHTT",
        "Phòng Văn hóa và Thông tin huyện Bù Đốp",
        OrgKind.STATE_OFFICE,
        "UBND-BUDOP",
        "Bù Đốp",
        None,
        date(2025, 6, 30),
    ),
    (
        "GDDT-BUDOP",
        "GDĐT",
        "Phòng Giáo dục và Đào tạo huyện Bù Đốp",
        OrgKind.STATE_OFFICE,
        "UBND-BUDOP",
        "Bù Đốp",
        None,
        date(2025, 6, 30),
    ),
    (
        "HU-LOCNINH",
        "HU",
        "Huyện ủy Lộc Ninh",
        OrgKind.PARTY_COMMITTEE,
        "TU-BP",
        "Lộc Ninh",
        None,
        date(2025, 6, 30),
    ),
    (
        "BTGHU-LOCNINH",
        "BTGHU",
        "Ban Tuyên giáo Huyện ủy Lộc Ninh",
        OrgKind.PARTY_BOARD,
        "HU-LOCNINH",
        "Lộc Ninh",
        None,
        date(2025, 6, 30),
    ),
    (
        "HU-BUGIAMAP",
        "HU",
        "Huyện ủy Bù Gia Mập",
        OrgKind.PARTY_COMMITTEE,
        "TU-BP",
        "Bù Gia Mập",
        None,
        date(2025, 6, 30),
    ),
    (
        "BTGHU-BUGIAMAP",
        "BTGHU",
        "Ban Tuyên giáo Huyện ủy Bù Gia Mập",
        OrgKind.PARTY_BOARD,
        "HU-BUGIAMAP",
        "Bù Gia Mập",
        None,
        date(2025, 6, 30),
    ),
    # Communes report straight to the province since the two-tier local government of 01/7/2025.
    (
        "DU-THIENHUNG",
        "ĐU",
        "Đảng ủy xã Thiện Hưng",
        OrgKind.PARTY_COMMITTEE,
        "TU-BP",
        "Thiện Hưng",
        date(2025, 7, 1),
        None,
    ),
    (
        "UBND-THIENHUNG",
        "UBND",
        "Ủy ban nhân dân xã Thiện Hưng",
        OrgKind.GOVERNMENT,
        "DU-THIENHUNG",
        "Thiện Hưng",
        date(2025, 7, 1),
        None,
    ),
    (
        "DU-HUNGPHUOC",
        "ĐU",
        "Đảng ủy xã Hưng Phước",
        OrgKind.PARTY_COMMITTEE,
        "TU-BP",
        "Hưng Phước",
        date(2025, 7, 1),
        None,
    ),
]

# username, role, organisation code, display name
USERS = [
    ("admin", Role.ADMIN, "TU-BP", "Quản trị hệ thống"),
    ("inspector", Role.INSPECTOR, "BTGTU-BP", "Chuyên viên Ban Tuyên giáo Tỉnh ủy"),
    ("leader", Role.LEADER, "TU-BP", "Lãnh đạo Tỉnh ủy"),
    ("office", Role.OFFICE, "DU-THIENHUNG", "Văn phòng Đảng ủy xã Thiện Hưng"),
    ("office.budop", Role.OFFICE, "BTGHU-BUDOP", "Ban Tuyên giáo Huyện ủy Bù Đốp"),
    ("office.vhtt", Role.OFFICE, "VHTT-BUDOP", "Phòng Văn hóa và Thông tin Bù Đốp"),
    ("office.locninh", Role.OFFICE, "BTGHU-LOCNINH", "Ban Tuyên giáo Huyện ủy Lộc Ninh"),
]

# The nine requests of 14/06/2023, in kiemtra's own words, with the documents each one cites.
SEED_DIRECTIVES: list[tuple[str, str, list[str]]] = [
    (
        "Bám sát chương trình công tác tuyên giáo năm 2023",
        "Lấy chương trình trọng tâm và hướng dẫn thi đua của ngành tuyên giáo năm 2023 làm căn cứ; với "
        "lực lượng mỏng, chọn ít việc trọng tâm để làm trước. Tuyên truyền ngắn gọn, dễ nhớ, hợp từng "
        "địa bàn và nhóm người nghe, dùng sơ đồ và hình ảnh minh họa.",
        [],
    ),
    (
        "Nâng chất lượng tham mưu và đấu tranh trên không gian mạng",
        "Đổi mới cách tham mưu, học tập nghị quyết và phản bác thông tin xấu độc; đưa công nghệ thông tin "
        "vào tuyên truyền và quản lý. Phát huy Tổ công tác 03 của huyện theo Đề án số 03-ĐA/TU ngày "
        "16/3/2022 của Tỉnh ủy (Mật) để bảo vệ nền tảng tư tưởng của Đảng.",
        ["Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật)"],
    ),
    (
        "Nắm chắc tư tưởng và dư luận xã hội",
        "Theo dõi sát những việc người dân quan tâm: thu hồi đất, bồi thường, khiếu kiện kéo dài, chính "
        "sách hỗ trợ sản xuất; kiến nghị giải quyết sớm để kẻ xấu không lợi dụng.",
        [],
    ),
    (
        "Phối hợp khối khoa giáo",
        "Cùng các ngành y tế, giáo dục, môi trường, an sinh tham mưu cấp ủy sơ kết, tổng kết các chỉ thị, "
        "nghị quyết; báo cáo kịp thời các vụ việc về bạo lực học đường, thuốc lá điện tử trong trường học, "
        "đuối nước ở trẻ em và dịch bệnh.",
        [],
    ),
    (
        "Quảng bá hình ảnh huyện",
        "Giới thiệu tiềm năng đất đai, du lịch và đầu tư của huyện tới người dân trong và ngoài tỉnh.",
        [],
    ),
    (
        "Học tập và làm theo Bác theo chuyên đề năm 2023",
        "Tiếp tục thực hiện Chỉ thị 05-CT/TW theo chuyên đề năm 2023 về đại đoàn kết và xây dựng hệ thống "
        "chính trị trong sạch, vững mạnh; đề cao nêu gương của người đứng đầu; xây dựng thêm mô hình mới "
        "thu hút nhiều đối tượng tham gia.",
        ["Chỉ thị 05-CT/TW"],
    ),
    (
        "Định hướng thông tin trên mạng xã hội",
        "Thực hiện nghiêm Chỉ thị 17-CT/TU ngày 14/7/2022 của Ban Thường vụ Tỉnh ủy; tổ chức hội nghị "
        "trực tiếp quán triệt Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư và Hướng dẫn số "
        "99-HD/BTGTW ngày 20/3/2023 của Ban Tuyên giáo Trung ương; nâng chất lượng các trang, nhóm cộng "
        "đồng chính thống của huyện và xã.",
        [
            "Chỉ thị 17-CT/TU ngày 14/7/2022 của Ban Thường vụ Tỉnh ủy",
            "Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư",
            "Hướng dẫn số 99-HD/BTGTW ngày 20/3/2023 của Ban Tuyên giáo Trung ương",
        ],
    ),
    (
        "Thành lập tổ tuyên truyền viên ở chi bộ",
        "Mỗi chi bộ, đảng bộ cơ sở lập một tổ tuyên truyền viên do bí thư hoặc phó bí thư làm tổ trưởng, "
        "mỗi tổ đảng có một đến hai tuyên truyền viên, theo Quy chế số 04-QC/BTGTU ngày 20/3/2023 của Ban "
        "Tuyên giáo Tỉnh ủy.",
        ["Quy chế số 04-QC/BTGTU ngày 20/3/2023 của Ban Tuyên giáo Tỉnh ủy"],
    ),
    (
        "Tăng cường kiểm tra, giám sát ở cơ sở",
        "Đẩy mạnh kiểm tra, giám sát, đôn đốc công tác tuyên giáo và khoa giáo ở cơ sở.",
        [],
    ),
]
