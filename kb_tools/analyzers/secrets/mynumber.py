"""マイナンバー (individual number): 11 digits + 1 check digit.

The check digit is defined in 行政手続における特定の個人を識別するための番号の利用等に関する法律
施行令 第8条: with P(n) the n-th digit of the first 11 digits counted from the right and
Q(n) = n + 1 for 1 <= n <= 6, n - 5 for 7 <= n <= 11, let r = sum(P(n) * Q(n)) mod 11;
the check digit is 0 when r <= 1, else 11 - r.
"""

from __future__ import annotations


def check_digit(first11: str) -> int:
    """The check digit of an 11-digit string (ASCII digits)."""
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError("need 11 ASCII digits")
    total = 0
    for n in range(1, 12):
        p = ord(first11[11 - n]) - 48
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


def is_valid(number: str) -> bool:
    """Whether a 12-digit string (ASCII digits, no separators) has a valid check digit."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return False
    return check_digit(number[:11]) == ord(number[11]) - 48
