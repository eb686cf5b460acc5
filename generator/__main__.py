from generator.cli import main

if __name__ == "__main__":  # guarded: a worker process of `build DIR...` imports this module again
    main()
