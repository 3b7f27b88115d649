"""A student's hands in JupyterLab, for the browser tests (imported by name).

``Student`` clicks what a student clicks: files in the file browser, the
menus (*Run → Run All Cells*, *Kernel → Restart Kernel…*), the stop button
in a notebook's toolbar, and it types new cells.  What it *reads* (cell
outputs, execution counts, the kernel's state) it reads from JupyterLab's
own models, through ``window.jupyterapp`` (``upylab lab`` is started with
``--LabApp.expose_app_in_browser=True``), so that each wait is a wait for
an event, never a fixed sleep.
"""
TIMEOUT = 120_000       # ms for one step: a Run All installs a framework

# The notebook panel open on `path` (a JupyterLab widget).
_PANEL = """path => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) return widget;
  }
  return null;
}"""

# Its code cells as plain data: source, execution count, state, outputs.
_CELLS = f"""path => {{
  const panel = ({_PANEL})(path);
  return panel.content.widgets.filter(cell => cell.model.type === 'code').map(cell => ({{
    source: cell.model.sharedModel.getSource(),
    count: cell.model.executionCount,
    running: cell.model.executionState === 'running',
    outputs: cell.model.outputs.toJSON().map(output => (
      output.output_type === 'stream' ? {{text: [].concat(output.text).join('')}} :
      output.output_type === 'error' ? {{ename: output.ename, evalue: output.evalue,
                                         traceback: output.traceback}} :
      {{other: output.output_type}}))
  }}));
}}"""

# True once the notebook's kernel is idle and none of its cells runs or waits to.
_SETTLED = f"""path => {{
  const panel = ({_PANEL})(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  return panel.content.widgets.every(cell => cell.model.type !== 'code' ||
    (cell.model.executionState !== 'running' &&
     (cell.promptNode ? cell.promptNode.textContent : '').indexOf('*') < 0));
}}"""

# True once a Run All has ended: settled, and every code cell has run, or one
# failed that is not tagged raises-exception (Run All stops there).  Settled
# alone is not enough: between two cells the kernel is idle for a moment, and a
# queued cell outside the window JupyterLab renders has no prompt showing '*'.
_RUN_ALL_DONE = f"""path => {{
  if (!({_SETTLED})(path)) return false;
  const cells = ({_PANEL})(path).content.widgets.filter(cell => cell.model.type === 'code');
  const failed = cell => cell.model.outputs.toJSON().some(output => output.output_type === 'error');
  const tagged = cell => (cell.model.getMetadata('tags') || []).includes('raises-exception');
  return cells.every(cell => cell.model.executionCount !== null) ||
    cells.some(cell => failed(cell) && !tagged(cell));
}}"""

# Records the kernel states a notebook goes through from now on, in window.upylabSeen[path].
_WATCH = f"""path => {{
  const panel = ({_PANEL})(path);
  window.upylabSeen = window.upylabSeen || {{}};
  window.upylabSeen[path] = [];
  if (!panel.upylabWatched) {{
    panel.upylabWatched = true;
    panel.sessionContext.statusChanged.connect((_, status) => window.upylabSeen[path].push(status));
  }}
}}"""


def text_of(cell) -> str:
    return "".join(output.get("text", "") for output in cell["outputs"])


def errors_of(cell) -> list:
    return [output for output in cell["outputs"] if "ename" in output]


class Student:
    def __init__(self, page, url):
        self.page = page
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")

    # -- reading ---------------------------------------------------------------

    def cells(self, path) -> list:
        return self.page.evaluate(_CELLS, path)

    def settled(self, path):
        """Wait until the notebook's kernel is idle and no cell runs or is queued."""
        self.page.wait_for_function(_SETTLED, arg=path)

    def watch(self, path):
        """From now on, note the kernel states the notebook goes through."""
        self.page.evaluate(_WATCH, path)

    def went_through(self, path, state):
        """Wait until the kernel has been ``state`` since ``watch``, and is idle again."""
        self.page.wait_for_function(
            "([path, state]) => window.upylabSeen[path].includes(state)", arg=[path, state])
        self.settled(path)

    def wait_for_output(self, path, index, text):
        """Wait until code cell ``index`` has printed ``text``."""
        self.page.wait_for_function(
            f"([path, index, text]) => ({_CELLS})(path)[index].outputs.some("
            f"output => (output.text || '').includes(text) || (output.evalue || '').includes(text))",
            arg=[path, index, text])

    def wait_for_picture(self, path, index, text):
        """Wait until code cell ``index`` shows a picture (an SVG output, which
        JupyterLab draws as an image) whose drawing contains ``text``."""
        self.page.wait_for_function(
            f"""([path, index, text]) => {{
              const cells = ({_PANEL})(path).content.widgets.filter(c => c.model.type === 'code');
              return [...cells[index].node.querySelectorAll('.jp-OutputArea-output img')]
                .some(img => decodeURIComponent(img.src).includes(text));
            }}""", arg=[path, index, text])

    # -- doing -------------------------------------------------------------------

    def open(self, path):
        """Double-click the notebook in the file browser; wait for its kernel."""
        self.page.locator(".jp-DirListing-content").get_by_text(path, exact=True).dblclick()
        self.page.wait_for_function(
            f"path => {{ const panel = ({_PANEL})(path); const kernel = panel && "
            f"panel.sessionContext.session && panel.sessionContext.session.kernel; "
            f"return kernel && kernel.status === 'idle'; }}", arg=path)

    def show(self, path):
        """Bring the notebook's tab to the front."""
        self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel", has_text=path).click()
        self.page.wait_for_function(
            "path => window.jupyterapp.shell.currentWidget.context.path === path", arg=path)

    def menu(self, menu, item):
        self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=menu).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=item).first.click()

    def run_all(self, path):
        self.show(path)
        self.watch(path)
        self.menu("Run", "Run All Cells")
        self.went_through(path, "busy")
        self.page.wait_for_function(_RUN_ALL_DONE, arg=path)
        return self.cells(path)

    def new_cell(self, path, code):
        """Add a cell at the end of the notebook (the toolbar's +), type ``code``, Shift-Enter.

        Returns the new cell's index among the code cells.
        """
        self.show(path)
        count = self.page.evaluate(  # the last cell selected, as a click there selects it
            f"path => {{ const notebook = ({_PANEL})(path).content; "
            f"notebook.activeCellIndex = notebook.widgets.length - 1; return notebook.widgets.length; }}",
            path)
        panel = self.page.locator(".jp-NotebookPanel:visible")
        panel.locator(".jp-NotebookPanel-toolbar [data-command='notebook:insert-cell-below']").click()
        self.page.wait_for_function(
            f"([path, count]) => {{ const notebook = ({_PANEL})(path).content; "
            f"return notebook.widgets.length === count + 1 && notebook.activeCellIndex === count; }}",
            arg=[path, count])
        panel.locator(".jp-Cell.jp-mod-active .cm-content").click()
        for number, line in enumerate(code.split("\n")):
            if number:
                self.page.keyboard.press("Enter")
                self.page.keyboard.press("Home")        # no automatic indent to undo
            self.page.keyboard.type(line)
        index = len(self.cells(path)) - 1
        assert self.cells(path)[index]["source"] == code, self.cells(path)[index]["source"]
        self.page.keyboard.press("Shift+Enter")       # runs it, and adds an empty cell below
        return index

    def run_cell(self, path, index):
        """Click into code cell ``index`` and run it again (Ctrl-Enter)."""
        self.show(path)
        panel = self.page.locator(".jp-NotebookPanel:visible")
        panel.locator(".jp-CodeCell").nth(index).locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Control+Enter")

    def stop(self, path):
        """The stop button (■) of the notebook's toolbar; wait until the cell has ended."""
        self.show(path)
        self.page.locator(".jp-NotebookPanel:visible .jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']").click()
        self.settled(path)

    def restart(self, path):
        """Kernel → Restart Kernel…, and the dialog's Restart; wait for the new kernel."""
        self.show(path)
        self.watch(path)
        self.menu("Kernel", "Restart Kernel…")
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.went_through(path, "restarting")
