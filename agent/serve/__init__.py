"""`autodidact serve`: the learning model behind an OpenAI-compatible API.

    wire.py      the OpenAI request checks and response bodies
    served.py    the serving copy of the model, its lock, and the names of its weights (adapter-N)
    learning.py  served answers, follow-up detection, the bounded update queue and its worker
    session.py   the session directory, written as it goes (--resume)
    service.py   what the server does: answer, learn, grade tests, undo/reset/save
    app.py       the HTTP routes (FastAPI), the API key, the body limit, server-sent events
"""
