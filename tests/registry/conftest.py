"""The registry's expert, draw and agency tests share the session's seeded databases.

Pools of their own: the demo seed leaves 330411 (秀洲区) and 620724 (高台县) without experts, and
each draw test that counts its pool exactly owns a field there:
330411 construction/land_requisition (avoidance), 620724 water (the 409), 620724 work_safety (terms), 620724 petition_stability (concurrency), 620724 heritage
(fairness). Other tests may add experts there in other fields.
"""
