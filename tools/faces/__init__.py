"""The tools themselves: ``RunTools`` (one implementation) and its faces for
LangChain, OpenAI function calling and MCP.
"""
