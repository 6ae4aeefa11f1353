import pickle

model = {"w": 1}
with open("model.pkl", "wb") as f:
    pickle.dump(model, f)
