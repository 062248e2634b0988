"""Server-side SVG for the score trend (the CSP forbids inline scripts)."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 200, 32


@dataclass
class Chart:
    points: str
    dots: list[tuple[float, float, str]]
    grid: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def score_chart(history: list[tuple[str, float]]) -> Chart | None:
    """``history`` = [(label, score)] oldest first → polyline points on a 0–100 scale."""
    if not history:
        return None
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(len(history) - 1, 1)
    coords = []
    for i, (label, score) in enumerate(history):
        x = PAD + (i * step if len(history) > 1 else inner_w / 2)
        y = PAD + inner_h * (1 - float(score) / 100)
        coords.append((round(x, 1), round(y, 1), f"{label} · {float(score):g}"))
    grid = [(round(PAD + inner_h * (1 - v / 100), 1), v) for v in (0, 60, 75, 90, 100)]
    return Chart(points=" ".join(f"{x},{y}" for x, y, _ in coords), dots=coords, grid=grid)
