"""Pure business rules of 物业客服台: no Streamlit, no database session, no clock (``now`` is passed in)."""
