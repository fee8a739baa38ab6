"""Wire models for prompts, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pyrewatch.db.models import Prompt as PromptRow
from pyrewatch.db.models import PromptVersion as PromptVersionRow
from pyrewatch.db.models import PromptVersionTag as PromptVersionTagRow
from pyrewatch.ids import encode_global_id
from pyrewatch.services.prompts import IDENTIFIER_PATTERN, PromptVersionInput

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, max_length=255)]
ModelProvider = Literal[
    "OPENAI",
    "AZURE_OPENAI",
    "ANTHROPIC",
    "GOOGLE",
    "DEEPSEEK",
    "XAI",
    "OLLAMA",
    "AWS",
    "CEREBRAS",
    "FIREWORKS",
    "GROQ",
    "MOONSHOT",
    "PERPLEXITY",
    "TOGETHER",
]
Role = Literal["user", "assistant", "model", "ai", "tool", "system", "developer"]


class TextContentPart(BaseModel):
    type: Literal["text"]
    text: str


class ToolCallFunction(BaseModel):
    type: Literal["function"]
    name: str
    arguments: str


class ToolCallContentPart(BaseModel):
    type: Literal["tool_call"]
    tool_call_id: str
    tool_call: ToolCallFunction


class ToolResultContentPart(BaseModel):
    type: Literal["tool_result"]
    tool_call_id: str
    tool_result: Any


ContentPart = Annotated[TextContentPart | ToolCallContentPart | ToolResultContentPart, Field(discriminator="type")]


class PromptMessage(BaseModel):
    role: Role
    content: str | list[ContentPart]


class PromptChatTemplate(BaseModel):
    type: Literal["chat"]
    messages: list[PromptMessage]


class PromptStringTemplate(BaseModel):
    type: Literal["string"]
    template: str


class PromptToolFunctionDefinition(BaseModel):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class PromptToolFunction(BaseModel):
    type: Literal["function"]
    function: PromptToolFunctionDefinition


class PromptTools(BaseModel):
    type: Literal["tools"]
    tools: list[PromptToolFunction] = Field(min_length=1)
    tool_choice: dict[str, Any] | None = None
    disable_parallel_tool_calls: bool | None = None


class PromptResponseFormatJSONSchemaDefinition(BaseModel):
    name: str
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class PromptResponseFormatJSONSchema(BaseModel):
    type: Literal["json_schema"]
    json_schema: PromptResponseFormatJSONSchemaDefinition


class PromptVersionData(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    description: str | None = None
    model_provider: ModelProvider
    model_name: str = Field(max_length=255)
    template: Annotated[PromptChatTemplate | PromptStringTemplate, Field(discriminator="type")]
    template_type: Literal["STR", "CHAT"]
    template_format: Literal["MUSTACHE", "F_STRING", "NONE"]
    invocation_parameters: dict[str, Any]
    tools: PromptTools | None = None
    response_format: PromptResponseFormatJSONSchema | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    def to_input(self) -> PromptVersionInput:
        dumped = self.model_dump(by_alias=True, exclude_none=True)
        return PromptVersionInput(
            model_provider=self.model_provider,
            model_name=self.model_name,
            template=dumped["template"],
            template_type=self.template_type,
            template_format=self.template_format,
            invocation_parameters=self.invocation_parameters,
            description=self.description,
            tools=dumped.get("tools"),
            response_format=dumped.get("response_format"),
            metadata=self.metadata,
        )


class PromptData(BaseModel):
    name: Identifier
    description: str | None = None
    source_prompt_id: str | None = None
    metadata: dict[str, Any] | None = None


class CreatePromptRequestBody(BaseModel):
    prompt: PromptData
    version: PromptVersionData


class PromptVersion(PromptVersionData):
    id: str


class Prompt(PromptData):
    id: str


class PromptVersionTagData(BaseModel):
    name: Identifier
    description: str | None = None


class PromptVersionTag(PromptVersionTagData):
    id: str


class CreatePromptResponseBody(BaseModel):
    data: PromptVersion


class GetPromptResponseBody(BaseModel):
    data: PromptVersion


class GetPromptsResponseBody(BaseModel):
    data: list[Prompt]
    next_cursor: str | None


class GetPromptVersionsResponseBody(BaseModel):
    data: list[PromptVersion]
    next_cursor: str | None


class GetPromptVersionTagsResponseBody(BaseModel):
    data: list[PromptVersionTag]
    next_cursor: str | None


class PatchPromptRequestBody(BaseModel):
    description: str | None = None
    metadata: dict[str, Any] | None = None


class PatchPromptResponseBody(BaseModel):
    data: Prompt


def prompt_json(row: PromptRow) -> dict[str, Any]:
    source = row.source_prompt_id
    return {
        "id": encode_global_id("Prompt", row.id),
        "name": row.name,
        "description": row.description,
        "source_prompt_id": None if source is None else encode_global_id("Prompt", source),
        "metadata": row.metadata_,
    }


def prompt_version_json(row: PromptVersionRow) -> dict[str, Any]:
    """Unset ``tools``, ``response_format`` and empty ``metadata`` are left out, as Phoenix does."""
    body: dict[str, Any] = {
        "id": encode_global_id("PromptVersion", row.id),
        "description": row.description or "",
        "model_provider": row.model_provider,
        "model_name": row.model_name,
        "template": row.template,
        "template_type": row.template_type,
        "template_format": row.template_format,
        "invocation_parameters": row.invocation_parameters,
    }
    if row.tools is not None:
        body["tools"] = row.tools
    if row.response_format is not None:
        body["response_format"] = row.response_format
    if row.metadata_:
        body["metadata"] = row.metadata_
    return body


def prompt_version_tag_json(row: PromptVersionTagRow) -> dict[str, Any]:
    return {"name": row.name, "description": row.description, "id": encode_global_id("PromptVersionTag", row.id)}
