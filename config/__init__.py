import os

# numpy's BLAS keeps its threads spinning for about 2^28 cycles after each product, waiting for the next.
# In a web or worker process that shares the cores with others, that spin doubled the CPU of a "similar"
# call (the search's one matrix-vector product at 100,000 practices) and took it from other requests:
# under load, a third fewer answers a second. Threads that sleep at once keep the parallel product and
# lose the spin. Set before numpy is first imported; the environment can still say otherwise.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
