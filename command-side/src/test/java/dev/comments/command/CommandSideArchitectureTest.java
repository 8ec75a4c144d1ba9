package dev.comments.command;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.comments.events.ReadPreference;
import java.util.HashSet;
import java.util.Set;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.StorageStrategy;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Keeps the aggregate pure, the command side apart from the query side, and every read of a MongoDB
 * collection explicit about its read preference.
 */
class CommandSideArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.comments.command");

  /** The MongoCollection methods that read; findOneAndUpdate and friends write. */
  private static final Set<String> READS =
      Set.of(
          "find",
          "countDocuments",
          "estimatedDocumentCount",
          "aggregate",
          "distinct",
          "watch",
          "mapReduce",
          "listIndexes");

  static final ArchRule AGGREGATE_HAS_NO_ADAPTERS =
      classes()
          .that()
          .resideInAPackage("dev.comments.command.thread..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "dev.comments.events..",
              "dev.comments.command",
              "dev.comments.command.thread..",
              "org.axonframework..")
          .because("the thread aggregate decides and applies; storage and Kafka are adapters");

  static final ArchRule NO_QUERY_SIDE =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.comments.query..", "org.springframework..")
          .because(
              "command and query sides meet only through the event log, and Spring wires"
                  + " them from outside");

  static final ArchRule READS_NAME_THEIR_READ_PREFERENCE =
      methods()
          .that()
          .arePublic()
          .and(declaredInAClassUsingAMongoCollection())
          .and(notAnAxonStorageStrategy())
          .should(takeAReadPreferenceWhenTheyRead())
          .because("every read names primary or nearest, so a cross-ocean read is visible");

  @Test
  void the_aggregate_depends_on_no_kafka_mongo_or_spring() {
    AGGREGATE_HAS_NO_ADAPTERS.check(PRODUCTION);
  }

  @Test
  void nothing_depends_on_the_query_side_or_spring() {
    NO_QUERY_SIDE.check(PRODUCTION);
  }

  @Test
  void public_methods_that_read_a_collection_take_a_read_preference() {
    READS_NAME_THEIR_READ_PREFERENCE.check(PRODUCTION);
  }

  @Test
  void the_read_preference_rule_catches_a_read_without_one() {
    JavaClasses careless = new ClassFileImporter().importClasses(CarelessStore.class);
    assertThat(READS_NAME_THEIR_READ_PREFERENCE.evaluate(careless).hasViolation()).isTrue();
  }

  /** Reads through a private helper, which the rule must see through. */
  static final class CarelessStore {
    private final MongoCollection<Document> collection;

    CarelessStore(MongoCollection<Document> collection) {
      this.collection = collection;
    }

    public long count() {
      return countAll();
    }

    private long countAll() {
      return collection.countDocuments();
    }
  }

  private static DescribedPredicate<JavaMethod> declaredInAClassUsingAMongoCollection() {
    return DescribedPredicate.describe(
        "are declared in a class that uses a MongoCollection",
        method ->
            method.getOwner().getDirectDependenciesFromSelf().stream()
                .anyMatch(d -> d.getTargetClass().isAssignableTo(MongoCollection.class)));
  }

  /**
   * axon-mongo's storage strategy is called by Axon with the collection to read; its interface has
   * no room for a preference, so CommandSide gives Axon a database handle that names the primary.
   */
  private static DescribedPredicate<JavaMethod> notAnAxonStorageStrategy() {
    return DescribedPredicate.describe(
        "are not declared in an axon-mongo StorageStrategy",
        method -> !method.getOwner().isAssignableTo(StorageStrategy.class));
  }

  private static ArchCondition<JavaMethod> takeAReadPreferenceWhenTheyRead() {
    return new ArchCondition<>("take a ReadPreference parameter when they read a collection") {
      @Override
      public void check(JavaMethod method, ConditionEvents events) {
        boolean named =
            method.getRawParameterTypes().stream()
                .anyMatch(type -> type.isEquivalentTo(ReadPreference.class));
        if (readsACollection(method, new HashSet<>()) && !named) {
          events.add(
              SimpleConditionEvent.violated(
                  method, method.getFullName() + " reads MongoDB without a ReadPreference"));
        }
      }
    };
  }

  /** Whether the code unit, or a method of its own class it calls, reads a collection. */
  private static boolean readsACollection(JavaCodeUnit unit, Set<JavaCodeUnit> seen) {
    if (!seen.add(unit)) {
      return false;
    }
    for (JavaMethodCall call : unit.getMethodCallsFromSelf()) {
      if (call.getTargetOwner().isAssignableTo(MongoCollection.class)
          && READS.contains(call.getName())) {
        return true;
      }
      if (call.getTargetOwner().equals(unit.getOwner())) {
        var target = call.getTarget().resolveMember();
        if (target.isPresent() && readsACollection(target.get(), seen)) {
          return true;
        }
      }
    }
    return false;
  }
}
