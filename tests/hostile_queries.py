"""Queries no tokenizer, stemmer or ranking should trip on, shared by the search tests in Python and in the browser."""

# Strings no tokenizer should trip on: accents, marks, CJK, emoji, controls, symbols BERT does and does not split.
HOSTILE = [
    "Café crème brûlée", "ΑΣ ΣΑΣ σς", "İstanbul ß ﬁ", "中文测试 and 日本語", "emoji 😀🎉 here", "a\u0301e\u0300",
    "tab\there\nnew\rline", "nul\x00 del\x7f bom\ufeff zw\u200bsp", "replacement \ufffd char", "$5+3<=>^`|~",
    "€100 ©2026 ®™ ½ ²³ ①", "«quoted» “smart” ‘single’ „low“", "hyphen-ated under_score dot.ted", "x" * 150,
    "Ａ full-width ｗｏｒｄｓ", "\u00a0nbsp\u2028line\u2029para", "don't won't y'all", "E05 e5 E-05 #hashtag @user",
    "", "   ", "!!!", "ok\U000e0041tag",
]  # fmt: skip
