#!/usr/bin/env python3
"""Writes resources/texts/simple-stories.txt: simple children's stories in plain English, made
from SinkScope's own templates with a fixed seed (no outside text), for measuring small models
such as stories260K. Usage: scripts/make_sample_stories.py [OUT]"""
import random
import sys

NAMES = [("Lily", "she", "her"), ("Tom", "he", "his"), ("Sue", "she", "her"), ("Ben", "he", "his"),
         ("Mia", "she", "her"), ("Sam", "he", "his"), ("Anna", "she", "her"), ("Max", "he", "his"),
         ("Lucy", "she", "her"), ("Jack", "he", "his"), ("Emma", "she", "her"), ("Tim", "he", "his")]
PLACES = ["the park", "the garden", "the forest", "the beach", "the farm", "the big hill", "the river",
          "the playground", "the backyard", "the town", "the meadow", "the old barn"]
THINGS = [("ball", "red"), ("kite", "blue"), ("box", "big"), ("toy car", "shiny"), ("flower", "pretty"),
          ("hat", "funny"), ("book", "old"), ("stick", "long"), ("cake", "sweet"), ("shell", "small"),
          ("teddy bear", "soft"), ("boat", "little")]
ANIMALS = [("dog", "wagged its tail"), ("cat", "purred"), ("bird", "sang a song"), ("bunny", "hopped"),
           ("frog", "jumped"), ("duck", "quacked"), ("puppy", "barked"), ("fish", "swam in circles"),
           ("squirrel", "ran up a tree"), ("cow", "said moo")]
FEELINGS = ["happy", "sad", "scared", "excited", "surprised", "proud", "tired", "curious"]
WEATHER = ["It was a sunny day.", "The sky was blue and the sun was warm.", "It was a windy day.",
           "It was raining a little.", "The morning was cold and bright.", "The clouds were white and fluffy."]
FRIENDS = ["mom", "dad", "grandma", "grandpa", "big sister", "little brother", "best friend", "teacher"]
LESSONS = ["It is good to share with friends.", "Being kind makes everyone happy.",
           "It is important to listen to your mom.", "Helping others is the right thing to do.",
           "Saying sorry can fix a lot of things.", "Trying again is better than giving up.",
           "Friends can help when things are hard.", "Being careful keeps you safe."]


def story(rng):
    name, he, his = rng.choice(NAMES)
    place = rng.choice(PLACES)
    thing, colour = rng.choice(THINGS)
    animal, action = rng.choice(ANIMALS)
    friend = rng.choice(FRIENDS)
    other = rng.choice([n for n in NAMES if n[0] != name])
    cap = he.capitalize()
    s = []
    s.append(rng.choice([
        f"Once upon a time, there was a little {rng.choice(['girl', 'boy', 'kid'])} named {name}.",
        f"One day, {name} went to {place} with {his} {friend}.",
        f"There once was a {rng.choice(FEELINGS)} child named {name} who lived near {place}.",
        f"Once upon a time, in a small house, there lived a {animal} and a child named {name}."]))
    s.append(rng.choice(WEATHER))
    s.append(f"{cap} loved to play with {his} {colour} {thing}.")
    s.append(rng.choice([
        f"{name} liked to go to {place} every day.",
        f"Every morning, {name} said hello to the {animal}.",
        f"{name} and {his} {friend} liked to sing songs together."]))
    s.append(rng.choice([
        f"One day, {name} saw a {animal} near {place}. The {animal} {action}.",
        f"One day, {his} {colour} {thing} was gone. {name} looked everywhere.",
        f"One day, {name} met {other[0]} at {place}. {other[1].capitalize()} wanted to play too.",
        f"One day, {name} found a {rng.choice(THINGS)[1]} {rng.choice(THINGS)[0]} under a tree."]))
    s.append(f"{name} felt {rng.choice(FEELINGS)}.")
    s.append(rng.choice([
        f'"Can I play with your {thing}?" asked {other[0]}.',
        f'"What is that?" {name} asked {his} {friend}.',
        f'"Look at the {animal}!" said {name}.',
        f'"I want to go home," said {name}.']))
    s.append(rng.choice([
        f"At first, {name} did not want to share. Then {he} saw that {other[0]} was sad.",
        f"{his.capitalize()} {friend} smiled and said, \"Let's look together.\"",
        f"The {animal} came closer and {action} again.",
        f"{name} tried to reach it, but it was too high."]))
    s.append(rng.choice([
        f"So {name} gave the {thing} to {other[0]}, and they played together all day.",
        f"They looked under the bed and behind the door, and they found the {thing}.",
        f"{name} and the {animal} became good friends.",
        f"{his.capitalize()} {friend} helped {name}, and soon everything was fine."]))
    s.append(rng.choice([
        f"{name} was very {rng.choice(['happy', 'proud', 'glad'])}.",
        f"They laughed and played until the sun went down.",
        f"At the end of the day, {name} went home and had a warm bath.",
        f"That night, {name} slept well and dreamed about {place}."]))
    if rng.random() < 0.6:
        s.append(rng.choice(LESSONS))
    return " ".join(s)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "resources/texts/simple-stories.txt"
    rng = random.Random(20240512)
    stories = [story(rng) for _ in range(120)]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n\n".join(stories) + "\n")


if __name__ == "__main__":
    main()
