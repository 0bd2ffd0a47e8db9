"""The Celery app: tasks are autodiscovered in each installed app's tasks.py."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The embedded broker's folders, in the settings' transport options.
FILESYSTEM_BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def make_folders(sender, **kwargs):
    """kombu's filesystem transport reads and writes its folders but never makes them, and beat
    does not make the folder of its schedule file: make them when the app's configuration is first
    read, in the web process (which sends) and the worker (which receives) alike."""
    if sender.conf.beat_schedule_filename:
        Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
    if not str(sender.conf.broker_url).startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for name in FILESYSTEM_BROKER_FOLDERS:
        if name in options:
            Path(options[name]).mkdir(parents=True, exist_ok=True)
