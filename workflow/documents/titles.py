"""Where a document's title breaks into lines (GB/T 9704: 标题 "回行时，要做到词意完整，排列对称，
长短适宜，间距恰当", a trapezoid or diamond, never a short tail alone).

title_lines(text) gives the lines every document template joins with <br>:

- The writer may set the breaks: a "|" typed in the title (a plan's or a meeting's title)
  breaks there, and those lines are kept as given (plain_title() is the title without it).
- Otherwise a title that fits the 156 mm block stays on one line; a longer one is broken
  between words into the fewest lines that fit, as even as the words allow, and no line
  holds three characters or fewer ("…会议 / 的通知", "…绩效评价 / 报告" never happen).

Words come from jieba (a dictionary segmenter: Chinese has no spaces to break at), grouped
into the pieces a line may not split: a number with its 年/年度, a quotation “…” or 《…》 whole,
a single-character word with its neighbour (的 with what follows, others with what precedes),
punctuation with the word it belongs to.
"""
import logging
import unicodedata

BREAK = "|"
# The text block is 156 mm wide (GB/T 9704), in points.
BLOCK_WIDTH_PT = 156 * 72 / 25.4
TITLE_SIZE_PT = 22   # 2号
SHORT = 3            # a line of this many characters or fewer is a stranded tail

# Terms of the trade a line should not split, which jieba's general dictionary cuts in two.
TERMS = ("绩效评价", "重点项目", "预算项目", "重点评价", "隐患排查", "专家会诊", "培训会议", "工作方案", "绩效自评",
         "签到表", "登记表", "汇总表", "评分表")
TERM_FREQUENCY = 1_000_000
OPENING = "“‘《（(〔【「『"
CLOSING = "”’》）)〕】」』，、。：；！？,.:;!?"
PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "(": ")", "〔": "〕", "【": "】"}
LEADING_PARTICLES = "的之与和及或"

_segmenter = None


def _words(text):
    """jieba's words of ``text``; the dictionary loads once, at first use (about half a
    second), and never reaches the network."""
    global _segmenter
    if _segmenter is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        segmenter = jieba.Tokenizer()
        for term in TERMS:
            # Frequent enough to win over jieba's own longer words (年度预算 | 项目).
            segmenter.add_word(term, freq=TERM_FREQUENCY)
        _segmenter = segmenter
    return _segmenter.lcut(text, HMM=False)


def width(text):
    """Width in ems: full-width characters one, half-width ones (digits, Latin) a little over
    half (proportional digits of a CJK face are about 0.55 em)."""
    return sum(0.6 if unicodedata.east_asian_width(ch) in "NaH" else 1 for ch in text)


def plain_title(text):
    """The title as text, the writer's break marks taken out."""
    return (text or "").replace(BREAK, "")


def pieces(text):
    """The title as the units a line break may fall between."""
    words = _quotations(_words(text))
    merged = []
    glue_next = False
    for word in words:
        if merged and (glue_next or word[0] in CLOSING
                       or (len(word) == 1 and _han(word) and word not in LEADING_PARTICLES)):
            merged[-1] += word
        else:
            merged.append(word)
        last = merged[-1][-1]
        glue_next = (last in OPENING or last.isdigit() or (len(word) == 1 and word in LEADING_PARTICLES)
                     or last.isascii() and last.isalnum())
    return merged


def _han(word):
    return all("\u3400" <= ch <= "\u9fff" for ch in word)


def _quotations(words):
    """A short quotation (“专家会诊”, 《…》, （…）) as one word: it reads as one name."""
    out, buffer, closing = [], [], None
    for word in words:
        if closing is None and word in PAIRS:
            buffer, closing = [word], PAIRS[word]
            continue
        if closing is not None:
            buffer.append(word)
            if word == closing:
                out.append("".join(buffer))
                buffer, closing = [], None
            continue
        out.append(word)
    return out + buffer   # an unpaired mark: its words as they are


def _best(units, max_width):
    """The best split of ``units`` into lines no wider than ``max_width``: the fewest lines
    that leave no line of SHORT characters or fewer (one or two more lines if need be), and
    among those the most even, the shorter line on top when even is a tie (the seed's
    trapezoid). None if a unit alone is wider than a line."""
    widths = [width(unit) for unit in units]
    if not units or max(widths) > max_width:
        return None
    total = sum(widths)
    least = max(1, -(-int(total * 10) // int(max_width * 10)))
    fallback = None
    for count in range(least, min(len(units), least + 2) + 1):
        lines = _split(units, widths, count, max_width)
        if lines is None:
            continue
        if all(len(line) > SHORT for line in lines):
            return lines
        fallback = fallback or lines
    return fallback


def _split(units, widths, count, max_width):
    """The split into exactly ``count`` lines with the fewest short lines, then the least
    squared distance from the mean width (dynamic programming over the break positions)."""
    mean = sum(widths) / count
    starts = [0]
    for w in widths:
        starts.append(starts[-1] + w)
    characters = [0]
    for unit in units:
        characters.append(characters[-1] + len(unit))
    # best[j][i]: (cost, previous break) of the first i units set in j lines.
    best = [{0: ((0, 0.0, 0.0), None)}] + [{} for _ in range(count)]
    for j in range(1, count + 1):
        for i in range(j, len(units) - (count - j) + 1):
            for a, (cost, _prev) in best[j - 1].items():
                if a >= i:
                    continue
                line_width = starts[i] - starts[a]
                if line_width > max_width:
                    continue
                short = characters[i] - characters[a] <= SHORT
                step = (cost[0] + short, cost[1] + (line_width - mean) ** 2, cost[2] + line_width * (count - j))
                if i not in best[j] or step < best[j][i][0]:
                    best[j][i] = (step, a)
    if len(units) not in best[count]:
        return None
    bounds, i = [len(units)], len(units)
    for j in range(count, 0, -1):
        i = best[j][i][1]
        bounds.append(i)
    bounds.reverse()
    return ["".join(units[a:b]) for a, b in zip(bounds, bounds[1:])]


def title_lines(text, size_pt=TITLE_SIZE_PT, block_pt=BLOCK_WIDTH_PT):
    """The lines of a title set in ``size_pt`` type across a ``block_pt`` wide block."""
    text = (text or "").strip()
    if BREAK in text:
        return [part.strip() for part in text.split(BREAK) if part.strip()]
    if not text:
        return []
    max_width = int(block_pt // size_pt)
    if width(text) <= max_width:
        return [text]
    # Between words if the words allow it; a word longer than a line forces breaks inside.
    return _best(pieces(text), max_width) or _best(list(text), max_width) or [text]
