"""Blocks in the window: a block opened for editing, the commands that make, rename, delete
and ungroup blocks, and the dialogs and manager that drive them.

Modules: ``document`` (BlockDocument, a block's inside edited as a document of its own),
``commands`` (MakeBlock, UngroupBlock, RenameBlock, DeleteBlock), ``manager`` and ``glue``
(the Blocks menu and panel wired to the window), ``make_dialog`` and ``rename_dialog``.
"""
