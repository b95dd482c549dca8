"""Accountability (追责问责): 约谈, 通报批评 and 问责 recorded by a supervisor, each on a ground."""
