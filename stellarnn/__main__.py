from stellarnn.cli import main

main()
