from textline.cli import main

main()
