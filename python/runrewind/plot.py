"""``wandb.plot``: charts made from a Table. Run Rewind stores each as the table with a chart hint
(``{"type": "line", "x": ..., "y": ..., "title": ...}``) that the chart panel draws; wandb's Vega specs
are not run."""

from ._media import Table

__all__ = ["line", "scatter", "bar", "histogram", "line_series", "plot_table", "CustomChart"]


class CustomChart(Table):
    """A Table with a chart hint (what ``wandb.plot.*`` return)."""

    def __init__(self, table, chart):
        Table.__init__(self, columns=list(table.columns))
        self.data = [list(r) for r in table.data]
        self.chart = chart
        self.table = table


def _need(table, *columns):
    if not isinstance(table, Table):
        raise ValueError("expected a wandb.Table, got %s" % type(table).__name__)
    for c in columns:
        if c is not None and c not in table.columns:
            raise ValueError("the table has no column %r (its columns are %s)" % (c, table.columns))


def line(table, x, y, stroke=None, title="", split_table=False):
    _need(table, x, y, stroke)
    return CustomChart(table, _hint("line", title, x=x, y=y, stroke=stroke))


def scatter(table, x, y, title="", split_table=False):
    _need(table, x, y)
    return CustomChart(table, _hint("scatter", title, x=x, y=y))


def bar(table, label, value, title="", split_table=False):
    _need(table, label, value)
    return CustomChart(table, _hint("bar", title, x=label, y=value))


def histogram(table, value, title="", split_table=False):
    _need(table, value)
    return CustomChart(table, _hint("histogram", title, x=value))


def line_series(xs, ys, keys=None, title="", xname="x", split_table=False):
    """Several lines over shared or own xs, as one table (lineKey, step, lineVal) like wandb's."""
    ys = [list(y.tolist() if hasattr(y, "tolist") else y) for y in ys]
    xs = list(xs.tolist() if hasattr(xs, "tolist") else xs)
    shared = not xs or not isinstance(xs[0], (list, tuple)) and not hasattr(xs[0], "tolist")
    keys = list(keys) if keys is not None else ["key_%d" % i for i in range(len(ys))]
    if len(keys) != len(ys):
        raise ValueError("line_series: %d keys for %d lines" % (len(keys), len(ys)))
    table = Table(columns=["lineKey", "lineVal", "step"])
    for i, y in enumerate(ys):
        x = xs if shared else list(xs[i])
        for xv, yv in zip(x, y):
            table.add_data(keys[i], yv, xv)
    return CustomChart(table, _hint("line", title, x="step", y="lineVal", stroke="lineKey", xname=xname))


def plot_table(vega_spec_name, data_table, fields, string_fields=None, split_table=False):
    """wandb.plot_table: the spec's name and fields are kept in the hint; a line chart of the first two
    fields is what the panel draws for a spec it does not know."""
    if not isinstance(data_table, Table):
        raise ValueError("plot_table: data_table must be a wandb.Table, got %s" % type(data_table).__name__)
    fields = dict(fields or {})
    hint = {"type": "custom", "spec": str(vega_spec_name), "fields": dict((str(k), str(v)) for k, v in fields.items())}
    if string_fields:
        hint["string_fields"] = dict((str(k), str(v)) for k, v in dict(string_fields).items())
    if string_fields and string_fields.get("title"):
        hint["title"] = str(string_fields["title"])
    return CustomChart(data_table, hint)


def _hint(kind, title, **fields):
    hint = {"type": kind}
    if title:
        hint["title"] = str(title)
    hint.update((k, str(v)) for k, v in fields.items() if v is not None)
    return hint
