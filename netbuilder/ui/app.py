"""Start the window: ``netbuilder`` / ``netbuilder gui [PROJECT] [--screenshot FILE.png]``.

A bare start opens the LeNet-5 example, ready to train. A project that cannot be read gives a
message and an empty network (with ``--screenshot``: the error on stderr and exit code 2).
``--screenshot`` renders the window offscreen at 1400x900, saves a PNG and exits 0; it reads
no settings, writes none and leaves no recovery file, so it is reproducible.

Nothing here imports torch or onnx: the Code tab and export load code generation on first
use, the Training tab loads the runtime when it is first shown.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_UNREADABLE = 0, 2
SCREENSHOT_SIZE = (1400, 900)
DEFAULT_EXAMPLE = "lenet5"
PREWARM_DELAY_MS = 1500    # after the first paint: torch loads while the student looks


def create_application(argv: list[str] | None = None, theme: str | None = None):
    """The QApplication with netbuilder's names, style, palette and base font.

    ``theme``: "system", "light" or "dark"; None reads the user's preference.
    """
    from PySide6.QtWidgets import QApplication

    from .appearance import apply_base_font, apply_theme
    from .settings import APPLICATION, ORGANISATION, Preferences

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    from .. import __version__

    app.setApplicationVersion(__version__)
    apply_theme(app, theme or Preferences().theme)
    apply_base_font(app)
    return app


def settle(app, rounds: int = 5) -> None:
    """Let layouts, deferred timers and first paints happen (for screenshots and tests)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    for _ in range(rounds):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QCoreApplication.sendPostedEvents()


def render_screenshot(window, path: str | Path, size: tuple[int, int] = SCREENSHOT_SIZE) -> bool:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    window.resize(*size)
    window.show()
    settle(app)
    window.show_network()
    settle(app)
    return window.screenshot(path)


def _throwaway_prefs():
    """Preferences that read as defaults and are never written (screenshots)."""
    import tempfile

    from PySide6.QtCore import QSettings

    from .settings import Preferences

    path = Path(tempfile.gettempdir()) / f"netbuilder-screenshot-{os.getpid()}.ini"
    return Preferences(QSettings(str(path), QSettings.Format.IniFormat))


def missing_system_libraries(argv: list[str]) -> str | None:
    """The one line to print when Qt's X11 plugin would abort for lack of system libraries."""
    from .system_libs import install_line, missing_for_xcb, xcb_will_be_used

    if not xcb_will_be_used(argv):
        return None
    missing = missing_for_xcb()
    return install_line(missing) if missing else None


def gui_command(args: argparse.Namespace) -> int:
    screenshot = getattr(args, "screenshot", None)
    project_arg = getattr(args, "project", None)
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = missing_system_libraries(sys.argv)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_UNREADABLE

    from ..graph.errors import ProjectFileError
    from ..graph.project import load_project

    project, load_error, assignment = None, None, None
    if project_arg:
        try:
            project = load_project(project_arg)
        except ProjectFileError as e:
            from .classroom.session import is_assignment_file

            if is_assignment_file(Path(project_arg).expanduser()):
                assignment = Path(project_arg).expanduser()   # opened for a student below
            load_error = None if assignment else str(e)
            if screenshot and not assignment:
                print(f"error: {e}", file=sys.stderr)
                return EXIT_UNREADABLE

    app = create_application(theme="system" if screenshot else None)
    from PySide6.QtCore import QTimer

    from .main_window import MainWindow
    from .training_host import prewarm

    window = MainWindow(prefs=_throwaway_prefs() if screenshot else None,
                        persist=not screenshot, autosave=not screenshot)
    if project is not None:
        window.files.set_project(project, Path(project_arg).expanduser().resolve())
        if not screenshot:
            window.prefs.add_recent(str(window.document.path))
    elif assignment is not None:
        window.classroom.session.open_path(assignment, ask=False)
    elif load_error is None:
        window.files.open_example(DEFAULT_EXAMPLE, ask=False)

    if screenshot:
        if not render_screenshot(window, screenshot):
            print(f"error: cannot write the screenshot {screenshot}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(screenshot)
        window.close()
        return EXIT_OK

    window.show()
    def after_show() -> None:
        if load_error is not None:
            window.files.show_error("Cannot open project", load_error)
        window.files.offer_recovery()

    QTimer.singleShot(0, after_show)
    QTimer.singleShot(PREWARM_DELAY_MS, prewarm)
    app.exec()
    return EXIT_OK
