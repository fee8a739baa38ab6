"""A bare FastAPI + uvicorn hello-world on the same stack as Pyrewatch: the req/s ceiling."""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI
from starlette.responses import JSONResponse

app = FastAPI()


@app.get("/")
async def hello() -> JSONResponse:
    return JSONResponse({"data": [{"id": "1", "name": "default"}], "next_cursor": None})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PHOENIX_PORT"]), log_level="warning", access_log=False)
