"""Blocks in the window: a block opened for editing, the commands that make, rename, delete
and ungroup blocks, and the dialogs and manager that drive them.

The document of a block's inside is graph/block_document.py (no Qt). Modules: ``commands`` (MakeBlock, UngroupBlock, RenameBlock, DeleteBlock), ``manager`` and ``glue``
(the Blocks menu and panel wired to the window), ``make_dialog`` and ``rename_dialog``.
"""
