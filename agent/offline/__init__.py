"""The offline model's parts: reading requests, matching fields, reading history, answering.

``agent.offline.chat_model.OfflineChatModel`` puts them together as a LangChain chat model.
"""
