"""Views that show the inside of the network the student built: a sample through the
network (feature maps, the convolution's arithmetic, saliency), evaluation (confusion
matrix, per-class scores, misclassified samples), the decision boundary of 2-D data, and
embeddings. They draw what ``runtime.insight`` computes; ``InsightSource`` feeds them."""
