"""hr: the 2-3-3 HR-diagram network (white dwarf / main sequence / giant) with hand-derived backpropagation."""
