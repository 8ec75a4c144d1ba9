package dev.comments.query;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.mongodb.client.MongoCollection;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.comments.events.ReadPreference;
import java.util.HashSet;
import java.util.Set;

/** Keeps the query side apart from the command side, and every read's preference explicit. */
@AnalyzeClasses(
    packages = "dev.comments.query",
    importOptions = ImportOption.DoNotIncludeTests.class)
public class QuerySideArchitectureTest {
  private static final Set<String> COLLECTION_READS =
      Set.of(
          "find",
          "countDocuments",
          "estimatedDocumentCount",
          "aggregate",
          "distinct",
          "watch",
          "listIndexes");

  @ArchTest
  static final ArchRule knows_nothing_of_the_command_side_or_its_frameworks =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.comments.command..", "org.axonframework..", "org.springframework..")
          .because(
              "the query side runs on every node and learns of writes only through the event log");

  @ArchTest
  public static final ArchRule public_methods_that_read_a_collection_name_their_read_preference =
      methods()
          .that()
          .arePublic()
          .should(takeAReadPreferenceWhenTheyReadACollection())
          .because("a read that silently crosses an ocean must be visible in the type system");

  /**
   * A public method that reads a {@link MongoCollection}, itself or through the non-public methods
   * (and lambdas) of its own class, must take a {@link ReadPreference}. Calls into other classes
   * are judged there: their public methods are under the same rule.
   */
  static ArchCondition<JavaMethod> takeAReadPreferenceWhenTheyReadACollection() {
    return new ArchCondition<>("take a ReadPreference when they read a MongoCollection") {
      @Override
      public void check(JavaMethod method, ConditionEvents events) {
        if (readsACollection(method, new HashSet<>())
            && !method.getRawParameterTypes().stream()
                .anyMatch(type -> type.isEquivalentTo(ReadPreference.class))) {
          events.add(
              SimpleConditionEvent.violated(
                  method,
                  method.getFullName() + " reads a MongoCollection but takes no ReadPreference"));
        }
      }
    };
  }

  private static boolean readsACollection(JavaCodeUnit unit, Set<JavaCodeUnit> seen) {
    if (!seen.add(unit)) {
      return false;
    }
    for (JavaMethodCall call : unit.getMethodCallsFromSelf()) {
      if (call.getTargetOwner().isAssignableTo(MongoCollection.class)
          && COLLECTION_READS.contains(call.getName())) {
        return true;
      }
      if (call.getTargetOwner().equals(unit.getOwner())) {
        for (JavaMethod target : call.getTarget().resolveMember().stream().toList()) {
          if (!target.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)
              && readsACollection(target, seen)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
